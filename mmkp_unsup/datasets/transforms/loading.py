"""Reading one frame of a video file."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadVideoFrame(BaseTransform):
    """Read frame ``frame_index`` of ``video_path`` with OpenCV.

    Required Keys:

        - video_path
        - frame_index

    Added Keys:

        - img (BGR ``uint8`` ``[H, W, 3]``, as mmpose's ``LoadImage``)
        - img_shape
        - ori_shape

    Args:
        to_float32 (bool): Convert the frame to ``float32``. Defaults to
            ``False``.

    Raises:
        FileNotFoundError: If the video file is missing.
        ValueError: If OpenCV cannot open the video or read the frame (the
            message gives the video's frame count).
    """

    def __init__(self, to_float32: bool = False) -> None:
        super().__init__()
        self.to_float32 = to_float32

    def transform(self, results: dict) -> dict:
        path = results['video_path']
        index = int(results['frame_index'])
        capture = cv2.VideoCapture(path)
        try:
            if not capture.isOpened():
                import os.path as osp
                if not osp.isfile(path):
                    raise FileNotFoundError(f'video not found: {path}')
                raise ValueError(f'{path}: OpenCV cannot open this video')
            count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
            if index:
                capture.set(cv2.CAP_PROP_POS_FRAMES, index)
            ok, frame = capture.read()
        finally:
            capture.release()
        if not ok or frame is None:
            raise ValueError(f'{path}: cannot read frame {index} (the video '
                             f'reports {count} frames)')
        if self.to_float32:
            frame = frame.astype(np.float32)
        results['img'] = frame
        results['img_shape'] = frame.shape[:2]
        results['ori_shape'] = frame.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(to_float32={self.to_float32})'
