"""Reading annotation files with errors that name the file and the line."""
import os.path as osp
import re
from typing import Callable, Iterator, List, Tuple

import numpy as np

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp')

# Five facial landmarks of MAFL / CelebA / AFLW_R, in their files' order.
FACE5_KEYPOINT_INFO = {
    0: dict(name='left_eye', id=0, color=[255, 0, 0], type='upper',
            swap='right_eye'),
    1: dict(name='right_eye', id=1, color=[0, 255, 0], type='upper',
            swap='left_eye'),
    2: dict(name='nose', id=2, color=[0, 0, 255], type='upper', swap=''),
    3: dict(name='left_mouth', id=3, color=[255, 255, 0], type='lower',
            swap='right_mouth'),
    4: dict(name='right_mouth', id=4, color=[255, 0, 255], type='lower',
            swap='left_mouth'),
}  # yapf: disable
FACE5_SKELETON_INFO = {
    0: dict(link=('left_eye', 'right_eye'), id=0, color=[255, 255, 255]),
    1: dict(link=('left_mouth', 'right_mouth'), id=1, color=[255, 255, 255]),
}


def face5_metainfo(dataset_name: str, paper_info: dict) -> dict:
    """mmpose metainfo of a five-landmark face dataset."""
    return dict(
        dataset_name=dataset_name,
        paper_info=paper_info,
        keypoint_info=FACE5_KEYPOINT_INFO,
        skeleton_info=FACE5_SKELETON_INFO,
        joint_weights=[1.0] * 5,
        sigmas=[0.025] * 5)


def check_file(path: str, what: str) -> str:
    """Return ``path`` or raise ``FileNotFoundError`` saying what it is."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    return path


def check_dir(path: str, what: str) -> str:
    """Return ``path`` or raise ``FileNotFoundError`` saying what it is."""
    if not osp.isdir(path):
        raise FileNotFoundError(f'{what} (a folder) not found: {path}')
    return path


def read_lines(path: str, what: str, skip: int = 0
               ) -> Iterator[Tuple[int, str]]:
    """Yield ``(line_number, stripped_line)`` of a text file.

    Line numbers count from 1 and include the ``skip`` header lines. Blank
    lines are an error (``ValueError`` naming the file and line), except
    trailing ones at the end of the file.

    Args:
        path (str): The file.
        what (str): What the file is, for the error messages.
        skip (int): Header lines to skip. Defaults to ``0``.
    """
    check_file(path, what)
    with open(path, 'r') as f:
        lines = f.read().splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < skip:
        raise ValueError(f'{path}: expected {skip} header line(s), the file '
                         f'has {len(lines)} line(s)')
    for number, line in enumerate(lines[skip:], start=skip + 1):
        line = line.strip()
        if not line:
            raise ValueError(f'{path}, line {number}: empty line in the '
                             f'{what}')
        yield number, line


def parse_fields(path: str, number: int, line: str, count: int,
                 convert: Callable = str, expected: str = '') -> List:
    """Split a line into ``count`` whitespace fields, the first a name.

    Args:
        path (str): The file, for errors.
        number (int): The line number, for errors.
        line (str): The line.
        count (int): Number of fields expected after the name.
        convert (Callable): Applied to the fields after the name.
        expected (str): What the line should look like, for errors.

    Returns:
        list: ``[name, *converted_fields]``.
    """
    fields = line.split()
    if len(fields) != count + 1:
        raise ValueError(f'{path}, line {number}: expected {count + 1} '
                         f'fields{" (" + expected + ")" if expected else ""},'
                         f' got {len(fields)}: {line!r}')
    try:
        values = [convert(v) for v in fields[1:]]
    except ValueError:
        raise ValueError(f'{path}, line {number}: expected numbers after the '
                         f'name{" (" + expected + ")" if expected else ""}, '
                         f'got {line!r}') from None
    return [fields[0]] + values


def natural_key(name: str) -> list:
    """Sort key ordering ``frame2`` before ``frame10``: digit runs compare
    as numbers, the rest as text."""
    return [(0, int(t), '') if t.isdigit() else (1, 0, t)
            for t in re.split(r'(\d+)', name) if t]


def landmark_instance(idx: int, img_path: str, keypoints: np.ndarray,
                      **extra) -> dict:
    """A top-down data info for one face with landmarks ``[L, 2]``
    ``(x, y)`` pixels: the fields of mmpose's face datasets."""
    keypoints = np.asarray(keypoints, dtype=np.float32)[None]
    return dict(
        id=idx,
        img_id=idx,
        img_path=img_path,
        keypoints=keypoints,
        keypoints_visible=np.ones(keypoints.shape[:2], dtype=np.float32),
        num_keypoints=keypoints.shape[1],
        iscrowd=0,
        category_id=1,
        **extra)
