"""ClipFramePairSampler: gaps counted in frame numbers."""
import numpy as np
import pytest

from mmkp_unsup.datasets import ClipFramePairSampler


def partners(sampler, idx, draws=200):
    return {sampler(idx) for _ in range(draws)}


def test_gaps_in_frame_numbers_for_subsampled_frames():
    # every 5th video frame stored: 0, 5, ..., 45, and a hole at 25
    numbers = [0, 5, 10, 15, 20, 30, 35, 40, 45]
    infos = [dict(clip_id='a', frame_id=n) for n in numbers]
    np.random.seed(0)
    by_frame = ClipFramePairSampler(min_gap=10, max_gap=15, gap_unit='frame')
    by_frame.bind(infos)
    # frame 20 (index 4): frames 5, 10 and 30, 35 are 10 to 15 apart
    assert {numbers[i] for i in partners(by_frame, 4)} == {5, 10, 30, 35}
    by_position = ClipFramePairSampler(min_gap=2, max_gap=3)
    by_position.bind(infos)
    # positions 2 and 3 away: frames 5, 10, 35, 40
    assert {numbers[i] for i in partners(by_position, 4)} == {5, 10, 35, 40}
    assert "gap_unit='frame'" in repr(by_frame)


def test_same_draws_as_a_list_of_candidates():
    """The sampler picks uniformly among the allowed frames."""
    infos = [dict(clip_id=0, frame_id=f) for f in range(12)]
    sampler = ClipFramePairSampler(min_gap=2, max_gap=4)
    sampler.bind(infos)
    np.random.seed(3)
    counts = np.bincount([sampler(6) for _ in range(3000)], minlength=12)
    allowed = [2, 3, 4, 8, 9, 10]
    assert set(np.flatnonzero(counts)) == set(allowed)
    assert counts[allowed].min() > 3000 / 6 * 0.8


def test_frame_gaps_name_a_frame_without_partner():
    infos = [dict(clip_id='b', frame_id=n, img_path=f'{n}.jpg')
             for n in (0, 1, 2, 50)]
    with pytest.raises(ValueError, match=r"frame 50 .* clip 'b' has no "
                       r'other frame 1 to 5 frames away'):
        ClipFramePairSampler(max_gap=5, gap_unit='frame').bind(infos)
    with pytest.raises(ValueError, match='non-numeric'):
        ClipFramePairSampler(gap_unit='frame').bind(
            [dict(clip_id=0, frame_id='x'), dict(clip_id=0, frame_id='y')])
    with pytest.raises(ValueError, match='numbered alike'):
        ClipFramePairSampler(gap_unit='frame').bind(
            [dict(clip_id=0, frame_id=1), dict(clip_id=0, frame_id=1)])
    with pytest.raises(ValueError, match="got 'seconds'"):
        ClipFramePairSampler(gap_unit='seconds')
