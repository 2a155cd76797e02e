"""Stream RGB frames into an MP4: H.264 SDR, or HEVC Main10 HDR10 (BT.2020 + PQ).

Frames are converted to planar YUV in NumPy and handed over one at a time, so a
10 s 1080p clip never sits in memory.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np

from studio import lifeline
from studio.media.colour import SDR_WHITE_NITS, rgb8_to_pq_yuv420p10, rgb8_to_yuv420p
from studio.media.files import atomic_path
from studio.media.probe import MediaError

# The encoder settings live here once so that the renderer and the benchmark's
# "floor" (encoding ready-made frames) use exactly the same ones.
SDR_CODEC = "libx264"
SDR_PIX_FMT = "yuv420p"
# veryfast: within a few tenths of a second of superfast on smooth content, and
# with CRF 17 pinned anchor frames stay well above 35 dB PSNR.
SDR_OPTIONS = {"preset": "veryfast", "crf": "17"}

HDR_CODEC = "libx265"
HDR_PIX_FMT = "yuv420p10le"
# Mastering display: BT.2020 primaries, D65, 1000 / 0.0001 nits (units of
# 0.00002 for xy and 0.0001 nit for luminance, as x265 and ffmpeg expect).
MASTER_DISPLAY = "G(8500,39850)B(6550,2300)R(35400,14600)WP(15635,16450)L(10000000,1)"
# The picture is SDR-referred: nothing is brighter than SDR white, so 203 nits
# bounds both the brightest pixel (MaxCLL) and the brightest frame average (MaxFALL).
MAX_CLL = f"{int(SDR_WHITE_NITS)},{int(SDR_WHITE_NITS)}"
HDR_OPTIONS = {
    "preset": "ultrafast",
    "crf": "18",
    "x265-params": ":".join(
        [
            "log-level=error",
            "hdr10=1",
            "hdr10-opt=1",
            "repeat-headers=1",
            "colorprim=bt2020",
            "transfer=smpte2084",
            "colormatrix=bt2020nc",
            "range=limited",
            f"master-display={MASTER_DISPLAY}",
            f"max-cll={MAX_CLL}",
        ]
    ),
}

# AVCOL_* values.
BT709 = 1
BT2020 = 9
BT2020_NCL = 9
SMPTE2084 = 16


class VideoWriter:
    """Write frames to `dest` atomically; `close()` publishes, `abort()` discards.

    ``key=True`` on `write` forces an intra frame, so a pinned anchor is coded on
    its own rather than predicted from its neighbours.
    """

    def __init__(
        self, dest: Path, width: int, height: int, *, fps: int = 24, hdr: bool = False
    ) -> None:
        if width % 2 or height % 2:
            raise ValueError("width and height must be even for 4:2:0 video")
        self.dest = Path(dest)
        self.width, self.height, self.fps, self.hdr = width, height, fps, hdr
        self._atomic = atomic_path(self.dest)
        self._tmp = self._atomic.__enter__()
        self._count = 0
        self._closed = False
        container_options = {} if hdr else {"movflags": "+faststart"}
        self._out = av.open(str(self._tmp), mode="w", format="mp4", options=container_options)
        codec, pix_fmt, options = (
            (HDR_CODEC, HDR_PIX_FMT, HDR_OPTIONS) if hdr else (SDR_CODEC, SDR_PIX_FMT, SDR_OPTIONS)
        )
        stream = self._out.add_stream(codec, rate=fps, options=dict(options))
        assert isinstance(stream, av.VideoStream)  # both codecs are video codecs
        self._stream = stream
        self._stream.width, self._stream.height, self._stream.pix_fmt = width, height, pix_fmt
        ctx = self._stream.codec_context
        ctx.color_range = 1  # limited ("tv") range
        if hdr:
            ctx.color_primaries, ctx.color_trc, ctx.colorspace = BT2020, SMPTE2084, BT2020_NCL
        else:
            ctx.color_primaries, ctx.color_trc, ctx.colorspace = BT709, BT709, BT709
        self._fmt = pix_fmt

    @property
    def frames_written(self) -> int:
        return self._count

    def planes(self, rgb: np.ndarray) -> np.ndarray:
        """The planar YUV this writer would encode for an RGB frame.

        The frame may also be exactly half the video's size: it then stands for
        its bilinear upscale, and only its luma is upsampled (cheaper than
        upscaling RGB and subsampling the chroma again).
        """
        full = (self.height, self.width, 3)
        half = (self.height // 2, self.width // 2, 3)
        if rgb.shape not in (full, half) or rgb.dtype != np.uint8:
            raise ValueError(
                f"expected a {self.height}x{self.width}x3 (or half-size) uint8 frame,"
                f" got {rgb.shape} {rgb.dtype}"
            )
        size = (self.width, self.height)
        return rgb8_to_pq_yuv420p10(rgb, size) if self.hdr else rgb8_to_yuv420p(rgb, size)

    def write(self, rgb: np.ndarray, *, key: bool = False) -> None:
        self.write_planes(self.planes(rgb), key=key)

    def write_planes(self, planes: np.ndarray, *, key: bool = False) -> None:
        frame = av.VideoFrame.from_ndarray(planes, format=self._fmt)
        frame.pts = self._count
        frame.color_range = 1
        if self.hdr:
            frame.color_primaries, frame.color_trc, frame.colorspace = BT2020, SMPTE2084, BT2020_NCL
        else:
            frame.color_primaries, frame.color_trc, frame.colorspace = BT709, BT709, BT709
        if key:
            frame.pict_type = av.video.frame.PictureType.I
        for packet in self._stream.encode(frame):
            self._out.mux(packet)
        self._count += 1

    def close(self) -> Path:
        """Flush, add the HDR10 container boxes if needed, and publish `dest`."""
        if self._closed:
            return self.dest
        try:
            for packet in self._stream.encode():
                self._out.mux(packet)
            self._out.close()
            if self.hdr:
                _add_hdr10_boxes(self._tmp)
        except BaseException:
            self.abort()
            raise
        self._closed = True
        self._atomic.__exit__(None, None, None)
        return self.dest

    def abort(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            self._out.close()
        exc = RuntimeError("aborted")
        with contextlib.suppress(RuntimeError):
            self._atomic.__exit__(type(exc), exc, None)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _add_hdr10_boxes(path: Path) -> None:
    """Stream-copy through ffmpeg to add the MP4 mdcv/clli boxes PyAV cannot write."""
    staged = path.with_name(path.stem + ".hdr10" + path.suffix)
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-y",
        "-v",
        "error",
        # These are input options describing the stream; they must precede -i.
        "-mastering_display:v",
        MASTER_DISPLAY,
        "-content_light:v",
        MAX_CLL,
        "-i",
        str(path),
        "-c",
        "copy",
        "-tag:v",
        "hvc1",
        "-movflags",
        "+faststart",
        str(staged),
    ]
    try:
        # Through lifeline: ffmpeg ends with this process, however that ends.
        done = subprocess.run(
            lifeline.command(cmd), capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0:
            raise MediaError(f"adding HDR10 metadata failed: {done.stderr.strip()[-300:]}")
        staged.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()
