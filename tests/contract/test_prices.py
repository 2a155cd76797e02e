"""Every cell of the price table (contract §6), and the estimated ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from studio.contract import ContractError, Price, price_of, validate

from .bodies import IMG, PRIOR, edit, keyframes, reframe, video

D = Decimal
RES = ("360p", "540p", "720p", "1080p")
SDR_5 = ("0.06", "0.15", "0.30", "1.20")
SDR_10 = ("0.18", "0.45", "0.90", "3.60")
EDIT_5 = ("0.54", "0.72", "1.08", "2.16")
EDIT_10 = ("1.08", "1.44", "2.16", "4.32")
REFRAME_PER_S = ("0.03", "0.06", "0.12", "0.36")


@pytest.mark.parametrize(("resolution", "amount"), list(zip(RES, SDR_5, strict=True)))
def test_sdr_5s(resolution: str, amount: str) -> None:
    assert price_of(video(resolution=resolution)) == Price(D(amount), False)


@pytest.mark.parametrize(("resolution", "amount"), list(zip(RES, SDR_10, strict=True)))
def test_sdr_10s(resolution: str, amount: str) -> None:
    assert price_of(video(resolution=resolution, duration="10s")) == Price(D(amount), False)


@pytest.mark.parametrize(
    ("resolution", "hdr", "exr", "amount"),
    [
        ("720p", True, False, "0.60"),
        ("1080p", True, False, "2.40"),
        ("720p", True, True, "0.90"),
        ("1080p", True, True, "3.60"),
    ],
)
def test_hdr_5s(resolution: str, hdr: bool, exr: bool, amount: str) -> None:
    body = video(resolution=resolution, hdr=hdr, exr_export=exr)
    assert price_of(body) == Price(D(amount), False)


def test_hdr_with_keyframes_is_priced_as_hdr() -> None:
    assert price_of(video(hdr=True, **keyframes([0, 120]))) == Price(D("0.60"), False)


@pytest.mark.parametrize(
    ("resolution", "amount", "estimated"),
    [("360p", "0.06", True), ("540p", "0.15", False), ("720p", "0.30", False),
     ("1080p", "1.20", False)],
)  # fmt: skip
@pytest.mark.parametrize("anchor", ["start_frame", "end_frame"])
def test_extend_is_one_5s_sdr_block(
    anchor: str, resolution: str, amount: str, estimated: bool
) -> None:
    body = video(resolution=resolution, **{anchor: {"generation_id": PRIOR}})
    assert price_of(body) == Price(D(amount), estimated)


def test_image_anchor_is_not_an_extend() -> None:
    assert price_of(video(resolution="360p", start_frame=IMG)) == Price(D("0.06"), False)


@pytest.mark.parametrize(
    ("resolution", "up_to_5", "up_to_10"), list(zip(RES, EDIT_5, EDIT_10, strict=True))
)
def test_edit_by_source_length(resolution: str, up_to_5: str, up_to_10: str) -> None:
    body = edit(resolution=resolution)
    assert price_of(body, source_seconds=3) == Price(D(up_to_5), False)
    assert price_of(body, source_seconds=5) == Price(D(up_to_5), False)
    assert price_of(body, source_seconds=5.5) == Price(D(up_to_10), False)
    assert price_of(body, source_seconds=10) == Price(D(up_to_10), False)
    # Past 10 s nothing is published: doubled again, and said to be an estimate.
    assert price_of(body, source_seconds=18) == Price(D(up_to_10) * 2, True)
    # Unknown length: priced as the shortest, an estimate.
    assert price_of(body) == Price(D(up_to_5), True)


def test_hdr_edits_are_estimated_with_the_multipliers() -> None:
    assert price_of(edit(hdr=True), source_seconds=4) == Price(D("2.16"), True)
    assert price_of(edit(hdr=True, exr_export=True), source_seconds=8) == Price(D("6.48"), True)


@pytest.mark.parametrize(("resolution", "per_second"), list(zip(RES, REFRAME_PER_S, strict=True)))
def test_reframe_per_second(resolution: str, per_second: str) -> None:
    body = reframe("16:9", resolution=resolution)
    assert price_of(body, source_seconds=10) == Price(D(per_second) * 10, False)
    assert price_of(body, source_seconds=5.0) == Price(D(per_second) * 5, False)
    # A started second is billed.
    assert price_of(body, source_seconds=7.2) == Price(D(per_second) * 8, False)
    assert price_of(body) == Price(D(per_second) * 5, True)


def test_amounts_are_cents() -> None:
    for price in (price_of(video()), price_of(reframe(), source_seconds=30)):
        assert price.amount == price.amount.quantize(D("0.01"))
        assert price.amount.as_tuple().exponent == -2


def test_request_object_and_dict_agree() -> None:
    body = video(resolution="1080p", duration="10s")
    assert price_of(validate(body)) == price_of(body)


def test_invalid_dict_is_refused() -> None:
    with pytest.raises(ContractError):
        price_of(video(hdr=True, resolution="360p"))


def test_str_marks_estimates() -> None:
    assert str(Price(D("0.30"), False)) == "$0.30"
    assert str(Price(D("0.06"), True)) == "≈ $0.06"
