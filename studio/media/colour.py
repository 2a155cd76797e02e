"""Colour maths shared by the renderer (SDR -> HDR10, ACES) and the poller (HDR -> SDR).

Everything is NumPy/OpenCV on whole frames: FFmpeg's own colour conversion
(reformat with dst_color_trc) costs about a second per frame.
"""

from __future__ import annotations

import cv2
import numpy as np

# SDR reference white on a PQ display (ITU-R BT.2408).
SDR_WHITE_NITS = 203.0
PQ_PEAK_NITS = 10000.0

# Linear BT.709 -> linear BT.2020 (ITU-R BT.2087).
M709_TO_2020 = np.array(
    [
        [0.627404, 0.329283, 0.043313],
        [0.069097, 0.919540, 0.011362],
        [0.016391, 0.088013, 0.895595],
    ],
    dtype=np.float32,
)
M2020_TO_709 = np.linalg.inv(M709_TO_2020).astype(np.float32)

# Linear BT.709/sRGB (D65) -> ACES2065-1 AP0 (D60), Bradford adaptation.
M709_TO_AP0 = np.array(
    [
        [0.4397010, 0.3829780, 0.1773350],
        [0.0897923, 0.8134230, 0.0967616],
        [0.0175440, 0.1115440, 0.8707040],
    ],
    dtype=np.float32,
)
# CIE xy of the AP0 primaries and the ACES white point: red, green, blue, white.
AP0_CHROMATICITIES = ((0.7347, 0.2653), (0.0, 1.0), (0.0001, -0.0770), (0.32168, 0.33767))

# BT.2020 non-constant-luminance luma weights; BT.709 ones.
KR_2020, KB_2020 = 0.2627, 0.0593
KR_709, KB_709 = 0.2126, 0.0722

_M1 = 2610 / 16384
_M2 = 2523 / 4096 * 128
_C1 = 3424 / 4096
_C2 = 2413 / 4096 * 32
_C3 = 2392 / 4096 * 32


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    v = np.clip(np.asarray(v, dtype=np.float64), 0.0, 1.0)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)


def pq_encode(y: np.ndarray) -> np.ndarray:
    """Absolute luminance / 10,000 nits -> PQ signal 0..1 (SMPTE ST 2084)."""
    ym = np.clip(np.asarray(y, dtype=np.float64), 0.0, 1.0) ** _M1
    return ((_C1 + _C2 * ym) / (1 + _C3 * ym)) ** _M2


def pq_decode(e: np.ndarray) -> np.ndarray:
    """PQ signal 0..1 -> absolute luminance / 10,000 nits."""
    ep = np.clip(np.asarray(e, dtype=np.float64), 0.0, 1.0) ** (1 / _M2)
    return (np.maximum(ep - _C1, 0.0) / (_C2 - _C3 * ep)) ** (1 / _M1)


# uint8 sRGB code -> linear light, as a 3-channel table for cv2.LUT.
SRGB_LUT3 = np.repeat(srgb_to_linear(np.arange(256) / 255.0).astype(np.float32), 3).reshape(
    1, 256, 3
)

# Linear (1.0 = SDR white) quantised to 16 bits -> PQ signal. 16-bit steps are
# ~0.003 nit at 203-nit white, far finer than a 10-bit PQ code near black.
_PQ_LUT_SIZE = 65536
_PQ_LUT = pq_encode(
    np.arange(_PQ_LUT_SIZE) / (_PQ_LUT_SIZE - 1) * SDR_WHITE_NITS / PQ_PEAK_NITS
).astype(np.float32)


def _ycbcr_matrix(kr: float, kb: float, bits: int) -> np.ndarray:
    """R'G'B' 0..1 -> limited-range Y'CbCr code values, as a 3x4 affine matrix."""
    kg = 1 - kr - kb
    scale = 1 << (bits - 8)
    y = np.array([kr, kg, kb])
    cb = (np.array([0, 0, 1.0]) - y) / (2 * (1 - kb))
    cr = (np.array([1.0, 0, 0]) - y) / (2 * (1 - kr))
    m = np.zeros((3, 4), dtype=np.float32)
    m[0, :3] = 219 * scale * y
    m[1, :3] = 224 * scale * cb
    m[2, :3] = 224 * scale * cr
    m[:, 3] = [16 * scale, 128 * scale, 128 * scale]
    return m


_RGB_TO_YCBCR_2020_10 = _ycbcr_matrix(KR_2020, KB_2020, 10)
_RGB8_TO_YCBCR_709 = _ycbcr_matrix(KR_709, KB_709, 8)
_RGB8_TO_YCBCR_709[:, :3] /= 255.0


def _planes_420(h: int, w: int, dtype: type) -> tuple[np.ndarray, ...]:
    """One (H*3/2) x W planar 4:2:0 buffer (PyAV's layout) and views of its Y, U, V planes."""
    out: np.ndarray = np.empty((h * 3 // 2, w), dtype=dtype)
    flat = out.reshape(-1)
    n, q = h * w, h * w // 4
    y = flat[:n].reshape(h, w)
    u = flat[n : n + q].reshape(h // 2, w // 2)
    v = flat[n + q :].reshape(h // 2, w // 2)
    return out, y, u, v


def _half_size(rgb: np.ndarray, size: tuple[int, int] | None) -> tuple[int, int, bool]:
    """(width, height, is_half): a frame is either `size` or exactly half of it."""
    fh, fw = rgb.shape[:2]
    if size is None or size == (fw, fh):
        return fw, fh, False
    if size != (fw * 2, fh * 2):
        raise ValueError(f"a {fw}x{fh} frame is neither {size[0]}x{size[1]} nor half of it")
    return size[0], size[1], True


def _pq_rgb(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 -> BT.2020 PQ R'G'B' 0..1 float32 (SDR white at 203 nits)."""
    lin = cv2.LUT(rgb, SRGB_LUT3)
    lin2020 = cv2.transform(lin, M709_TO_2020)
    np.clip(lin2020, 0.0, 1.0, out=lin2020)
    # OpenCV takes a number as an operand; its stubs want an array.
    idx = cv2.multiply(lin2020, _PQ_LUT_SIZE - 1).astype(np.uint16)  # type: ignore[call-overload]
    return np.take(_PQ_LUT, idx)


def rgb8_to_pq_yuv420p10(rgb: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """SDR sRGB frame -> HDR10 (BT.2020, PQ, SDR white at 203 nits) yuv420p10le planes.

    The SDR picture keeps its look: no brightness expansion, only a change of
    container (primaries and transfer). `size` (width, height) may be twice the
    frame's: a half-size working frame is converted at its own size (a quarter
    of the work) and only its luma is upsampled; its pixels already are the
    chroma samples.
    """
    w, h, half = _half_size(rgb, size)
    out, y, u, v = _planes_420(h, w, np.uint16)
    ycc: np.ndarray = cv2.transform(_pq_rgb(rgb), _RGB_TO_YCBCR_2020_10)
    ycc += 0.5  # round rather than truncate when casting to integer codes
    if half:
        luma = cv2.resize(ycc[:, :, 0], (w, h), interpolation=cv2.INTER_LINEAR)
        uv = ycc[:, :, 1:]
    else:
        luma = ycc[:, :, 0]
        uv = cv2.resize(ycc[:, :, 1:], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    np.copyto(y, luma, casting="unsafe")
    np.copyto(u, uv[:, :, 0], casting="unsafe")
    np.copyto(v, uv[:, :, 1], casting="unsafe")
    return out


def rgb8_to_yuv420p(rgb: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """sRGB frame -> BT.709 limited-range yuv420p planes (PyAV's layout).

    `size` as in rgb8_to_pq_yuv420p10: a half-size frame gives the chroma
    planes directly and only its luma is upsampled.
    """
    w, h, half = _half_size(rgb, size)
    out, y, u, v = _planes_420(h, w, np.uint8)
    # cv2.transform saturates when writing uint8, which also rounds. The full
    # 3x3 transform has a vectorised path that the 1- and 2-row ones lack: it
    # is several times faster than either, so the unused channels are free.
    ycc = cv2.transform(rgb, _RGB8_TO_YCBCR_709)
    if half:
        cv2.resize(cv2.extractChannel(ycc, 0), (w, h), dst=y, interpolation=cv2.INTER_LINEAR)
        uv = ycc
    else:
        cv2.extractChannel(ycc, 0, dst=y)
        small = cv2.resize(rgb, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        uv = cv2.transform(small, _RGB8_TO_YCBCR_709)
    cv2.extractChannel(uv, 1, dst=u)
    cv2.extractChannel(uv, 2, dst=v)
    return out


def rgb8_to_linear_ap0(rgb: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """sRGB frame -> scene-linear ACES2065-1 (AP0) float32, for EXR export.

    A half-size frame (see rgb8_to_yuv420p) is upsampled in linear light.
    """
    w, h, half = _half_size(rgb, size)
    ap0 = cv2.transform(cv2.LUT(rgb, SRGB_LUT3), M709_TO_AP0)
    return cv2.resize(ap0, (w, h), interpolation=cv2.INTER_LINEAR) if half else ap0


def _pq_to_linear_lut() -> np.ndarray:
    codes = np.arange(4096) / 4095.0
    return (pq_decode(codes) * PQ_PEAK_NITS / SDR_WHITE_NITS).astype(np.float32)


_PQ_DECODE_LUT = _pq_to_linear_lut()


def tone_map(
    x: np.ndarray, knee: float = 0.75, peak: float = PQ_PEAK_NITS / SDR_WHITE_NITS
) -> np.ndarray:
    """Linear (1.0 = SDR white) -> 0..1 display-linear.

    Identity below the knee, so SDR-referred HDR keeps its look; above it an
    exponential shoulder with matching slope rolls highlights off toward 1.0.
    """
    out = np.asarray(x, dtype=np.float32).copy()
    over = out > knee
    span = 1.0 - knee
    out[over] = knee + span * (1.0 - np.exp(-(out[over] - knee) / span))
    return out


_PEAK_REL = PQ_PEAK_NITS / SDR_WHITE_NITS
_DISPLAY_LUT = (
    linear_to_srgb(tone_map((np.linspace(0.0, 1.0, 16384) ** 2 * _PEAK_REL).astype(np.float32)))
    * 255.0
    + 0.5
).astype(np.uint8)


def _inverse_affine(m: np.ndarray) -> np.ndarray:
    full = np.vstack([m.astype(np.float64), [0, 0, 0, 1]])
    return np.linalg.inv(full)[:3].astype(np.float32)


_YCBCR_2020_10_TO_RGB = _inverse_affine(_ycbcr_matrix(KR_2020, KB_2020, 10))
_YCBCR_8_TO_RGB8 = {
    "709": _inverse_affine(_RGB8_TO_YCBCR_709),
    "601": _inverse_affine(_ycbcr_matrix(0.299, 0.114, 8) / np.array([[1 / 255] * 3 + [1]])),
}


def _merge_420(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    h, w = y.shape
    chroma = cv2.resize(cv2.merge([u, v]), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.merge([y, chroma[:, :, 0], chroma[:, :, 1]])


def yuv420p_to_rgb8(y: np.ndarray, u: np.ndarray, v: np.ndarray, matrix: str = "709") -> np.ndarray:
    """8-bit limited-range 4:2:0 planes -> sRGB uint8 (the exact inverse of rgb8_to_yuv420p)."""
    return cv2.transform(_merge_420(y, u, v), _YCBCR_8_TO_RGB8[matrix])


def yuv420p10_pq_to_rgb8(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """HDR10 planes (10-bit codes, limited range, BT.2020) -> tone-mapped sRGB uint8."""
    ycc = _merge_420(y.astype(np.float32), u.astype(np.float32), v.astype(np.float32))
    pq = cv2.transform(ycc, _YCBCR_2020_10_TO_RGB)
    np.clip(pq, 0.0, 1.0, out=pq)
    lin2020 = np.take(_PQ_DECODE_LUT, (pq * 4095.0 + 0.5).astype(np.uint16))
    lin709 = cv2.transform(lin2020, M2020_TO_709)
    np.clip(lin709, 0.0, _PEAK_REL, out=lin709)
    # Index by sqrt(linear) so dark tones get fine steps; the table holds tone_map + sRGB.
    idx = cv2.sqrt(lin709 * (1.0 / _PEAK_REL)) * (_DISPLAY_LUT.size - 1) + 0.5
    return np.take(_DISPLAY_LUT, idx.astype(np.uint16))
