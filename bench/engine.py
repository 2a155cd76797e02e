"""Renderer benchmark: wall time, the encoder "floor", their ratio, and peak memory.

The floor is PyAV encoding the render's own frames (made and converted to
planar YUV before the clock starts, intra flags at anchors kept) with the
renderer's exact writer and settings, measured in the same run; the render and
its floor alternate, and with --runs N the medians (ratio: of the per-pair
ratios) are printed. The render runs in its own process so ru_maxrss is that
render's peak; EXR worker processes (HDR + EXR case) are not counted in it. The
floor runs in another process (it holds all its ready-made frames in memory).
Prints figures; asserts nothing.

    python bench/engine.py [--runs 3] [--case "5s 720p text"]

Medians on a shared 2-core machine, load average 4-11 from other test runs,
so figures are noisy (a quiet run of "5s 720p text" gave 1.9 s / 0.7 s):

    case                 before wall/floor/ratio   after wall/floor/ratio   peak MiB
    5s 720p text           5.0 / 1.1 / 4.6           1.9-4.1 / 0.7-1.8 / 2.2-2.6   207
    5s 720p 3 keyframes    3.9-10 / 1.8-4.0 / 2.2-2.6  3.2-4.7 / 1.8-2.5 / 1.8   251
    10s 1080p text         11-20 / 4.3 / 2.7-4.7     8.3-16 / 4.0-4.6 / 2.1-4.3   359
    5s 720p HDR + EXR      11-13 / 1.2 / 9.6-11      11-24 / 1.8-3.7 / 5.6-6.4     329

Then the scene's layers became 4-channel uint8 warped and blended premultiplied
(skipping rows a ridge cannot reach) and the SDR YUV conversion one 3x3
transform; the old and new code run in turn, --runs 3 (2 for 1080p), load 4-7:

    case                 before wall/floor/ratio   after wall/floor/ratio   peak MiB
    5s 720p text         2.5-2.8 / 0.9-1.6 / 2.4-2.9  1.3-1.4 / 0.9-1.1 / 1.2-1.5   195
    10s 1080p text         5.9 / 2.9 / 2.0           3.7 / 3.2 / 1.1           310

The HDR + EXR case cannot reach 2x a video-only floor on two cores: DWAB
compression alone costs ~36 ms of CPU per 720p frame (~4.3 CPU-s for 121
frames), more than the whole x265 encode it is compared with. So for a case that
exports EXR a second floor is printed too: the same ready-made frames encoded
and written as the EXR zip by the render's own writer (the whole output the job
asks for, less the making of it), with the render's ratio to it.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studio.media.encode import VideoWriter  # noqa: E402
from studio.render import Anchor, RenderJob, plan_frames, render  # noqa: E402
from studio.render.exr import ExrZipWriter  # noqa: E402
from studio.render.look import camera_at, look_for  # noqa: E402
from studio.render.scene import Scene  # noqa: E402

CASES = ["5s 720p text", "5s 720p 3 keyframes", "10s 1080p text", "5s 720p HDR + EXR"]


def _still(prompt: str, width: int, height: int) -> object:
    look = look_for(prompt)
    return Scene(look, width, height).frame(camera_at(look, 0.4))


def _job(case: str) -> RenderJob:
    if case == "5s 720p text":
        return RenderJob(
            kind="video",
            prompt="forest at sunset, slow dolly in",
            width=1280,
            height=720,
            frames=121,
        )
    if case == "5s 720p 3 keyframes":
        anchors = [
            Anchor(i, _still(p, 1280, 720))
            for i, p in ((0, "ocean"), (60, "desert"), (120, "snow"))
        ]
        return RenderJob(
            kind="video", prompt="", width=1280, height=720, frames=121, anchors=anchors
        )
    if case == "10s 1080p text":
        return RenderJob(
            kind="video", prompt="night city pan left", width=1920, height=1080, frames=241
        )
    return RenderJob(
        kind="video",
        prompt="ocean orbit",
        width=1280,
        height=720,
        frames=121,
        hdr=True,
        exr_export=True,
    )


def _floor(case: str, queue: mp.Queue, with_exr: bool = False) -> None:
    """Encode the render's own frames, made and converted before the clock starts.

    Same frames (content decides how hard x264/x265 work), same intra flags at
    anchors, same writer and settings, and the same closing step (the HDR10
    stream copy): the only difference from the render is that nothing is made.
    With `with_exr` the same ready-made frames are also written as the EXR zip,
    with the render's own writer: the output the job asks for, less the making.
    """
    job = _job(case)
    total, frames = plan_frames(job)
    with tempfile.TemporaryDirectory() as tmp:
        writer = VideoWriter(
            Path(tmp) / "floor.mp4", job.width, job.height, fps=job.fps, hdr=job.hdr
        )
        exr = ExrZipWriter(Path(tmp) / "floor.zip", job.width, job.height) if with_exr else None
        ready = [(rgb, writer.planes(rgb), key) for rgb, key in frames]
        assert len(ready) == total
        t = time.perf_counter()
        for rgb, planes, key in ready:
            if exr is not None:
                exr.write(rgb)
            writer.write_planes(planes, key=key)
        writer.close()
        if exr is not None:
            exr.close()
        queue.put(time.perf_counter() - t)


def _floor_with_exr(case: str, queue: mp.Queue) -> None:
    _floor(case, queue, with_exr=True)


def _case(case: str, queue: mp.Queue) -> None:
    job = _job(case)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        render(job, Path(tmp))
        wall = time.perf_counter() - t
    queue.put((wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def _in_child(target: object, case: str) -> object:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(case, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per case; medians are printed")
    parser.add_argument("--case", action="append", choices=CASES, help="only these cases")
    args = parser.parse_args()
    print(
        f"{'case':<22} {'wall s':>7} {'floor s':>8} {'ratio':>6} {'peak MiB':>9}"
        f" {'floor+EXR s':>12} {'ratio':>6}"
    )
    for case in args.case or CASES:
        walls, floors, ratios, peaks, exr_floors, exr_ratios = [], [], [], [], [], []
        with_exr = _job(case).exr_export
        for _ in range(args.runs):
            # Render and floor in turn, so a drift in machine load hits both.
            wall, peak = _in_child(_case, case)
            floor = _in_child(_floor, case)
            walls.append(wall)
            floors.append(floor)
            ratios.append(wall / floor)
            peaks.append(peak)
            if with_exr:
                exr_floor = _in_child(_floor_with_exr, case)
                exr_floors.append(exr_floor)
                exr_ratios.append(wall / exr_floor)
        extra = (
            f" {statistics.median(exr_floors):12.2f} {statistics.median(exr_ratios):6.2f}"
            if with_exr
            else ""
        )
        print(
            f"{case:<22} {statistics.median(walls):7.2f} {statistics.median(floors):8.2f}"
            f" {statistics.median(ratios):6.2f} {max(peaks):9.0f}{extra}"
        )


if __name__ == "__main__":
    main()
