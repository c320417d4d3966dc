"""tools/misc/video_to_clips.py on a video it writes: the footage layout
ClipFolderDataset reads, and clear errors for bad input."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from tool_utils import import_tool

tool = import_tool('tools', 'misc', 'video_to_clips.py')


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    """20 frames of 48x40: a bright square moving right, frame i's square
    at x = 2 i."""
    path = str(tmp_path_factory.mktemp('video') / 'moving.avi')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 10,
                             (48, 40))
    assert writer.isOpened()
    for i in range(20):
        frame = np.full((40, 48, 3), 30, np.uint8)
        frame[10:20, 2 * i:2 * i + 8] = 220
        writer.write(frame)
    writer.release()
    return path


def test_clips_cropped_resized_and_read_by_the_dataset(video, tmp_path):
    from mmpose.registry import DATASETS

    import mmkp_unsup  # noqa: F401
    out = str(tmp_path / 'footage')
    # 20 frames, every second: 10 kept, clips of 4 -> 4, 4 and a last 2
    folders = tool.cut_video(video, out, clip_len=4, size=16,
                             crop=(8, 4, 32, 32), fps_step=2, min_clip_len=3)
    assert [osp.basename(f) for f in folders] == ['moving_000', 'moving_001']
    assert sorted(os.listdir(folders[1])) == [
        '00008.png', '00010.png', '00012.png', '00014.png']
    frame = cv2.imread(osp.join(folders[0], '00000.png'))
    assert frame.shape == (16, 16, 3)
    dataset = DATASETS.build(
        dict(type='ClipFolderDataset', data_root=out, ann_file='',
             data_prefix=dict(img='train/'), test_mode=True))
    assert len(dataset) == 8
    infos = [dataset.get_data_info(i) for i in range(8)]
    assert sorted((i['clip_id'], i['frame_id']) for i in infos) == [
        (c, f) for c in ('moving_000', 'moving_001') for f in range(4)]


def test_main_prints_and_whole_video_is_one_clip(video, tmp_path, capsys):
    tool.main([video, '--out', str(tmp_path), '--split', 'fit'])
    assert len(os.listdir(tmp_path / 'fit' / 'moving_000')) == 20
    assert '20 frames (48x40) in 1 clips' in capsys.readouterr().out


@pytest.mark.parametrize('kwargs, message', [
    (dict(crop=(30, 0, 32, 32)), 'reaches outside the 48x40 frame'),
    (dict(clip_len=4), 'shorter than min_clip_len 6'),
    (dict(fps_step=5), 'no clip of at least 6 frames'),
    (dict(size=0), 'size must be a positive'),
])
def test_bad_arguments_name_the_problem(video, tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        tool.cut_video(video, str(tmp_path), **kwargs)


def test_bad_files_and_existing_frames_are_errors(video, tmp_path,
                                                  capsys):
    with pytest.raises(FileNotFoundError, match='no-video.mp4: no such'):
        tool.cut_video(str(tmp_path / 'no-video.mp4'), str(tmp_path))
    text = tmp_path / 'notes.mp4'
    text.write_text('not a video')
    with pytest.raises(ValueError, match='notes.mp4: OpenCV'):
        tool.cut_video(str(text), str(tmp_path / 'out'))
    tool.cut_video(video, str(tmp_path / 'twice'))
    with pytest.raises(ValueError, match='already holds files'):
        tool.cut_video(video, str(tmp_path / 'twice'))
    for crop, message in (('-1,0,4,4', 'x and y must be >= 0'),
                          ('1,2,3', 'four integers x,y,w,h')):
        with pytest.raises(SystemExit):
            tool.main([video, '--out', str(tmp_path), f'--crop={crop}'])
        assert message in capsys.readouterr().err
