"""Preview benchmark: a 5 s composition with a handful of keyframes, at draft size.

Times what the engine worker does for one preview: decode the keyframe images, build
the draft job (360p, SDR) and render the MP4. Around it, the composer adds at most the
worker's idle sleep (1 s) and one poll interval of the page (0.7 s). Prints figures;
asserts nothing.

    python bench/preview.py [--runs 3] [--keyframes 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keyframes", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-preview-"))
    os.environ.setdefault("STUDIO_DATA_DIR", str(work / "data"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    import django

    django.setup()
    from studio.engine.inputs import job_for
    from studio.render import render

    rng = np.random.default_rng(1)
    images = []
    for n in range(args.keyframes):
        # Photo-sized pictures with detail: decoding and fitting them is part of the cost.
        rgb = rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8)
        path = work / f"key-{n}.png"
        Image.fromarray(rgb).save(path)
        images.append(path)
    last = 120
    indexes = [round(i * last / max(1, args.keyframes - 1)) for i in range(args.keyframes)]
    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a handful of keyframes",
        "video": {
            "resolution": "1080p",
            "duration": "5s",
            "keyframes": [{"file_id": f"asset:{n}"} for n in range(args.keyframes)],
            "keyframe_indexes": indexes,
        },
    }

    def locate(path: str) -> Path:
        return images[int(path.split("[")[1].rstrip("]"))]

    times = []
    try:
        for run in range(args.runs):
            start = time.perf_counter()
            job = job_for(body, locate, draft=True)
            render(job, work / f"out-{run}")
            times.append(time.perf_counter() - start)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"5s, {args.keyframes} keyframes at {indexes}, draft {job.width}x{job.height}: "
        f"median {statistics.median(times):.2f} s over {args.runs} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}); load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
