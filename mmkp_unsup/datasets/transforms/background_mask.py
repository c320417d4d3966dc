"""Background removal with a foreground mask (docs/data_preparation_others.md,
"Human3.6M")."""
import os.path as osp
from typing import Dict

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmpose.registry import TRANSFORMS


def read_foreground_mask(path: str) -> np.ndarray:
    """Read a foreground mask as float32 weights in ``[0, 1]``, ``[H, W]``.

    An 8-bit (or 16-bit) grey or colour PNG is divided by the largest value
    of its type (``255``: foreground, ``0``: background, values between are
    soft weights, as a ``skimage.img_as_float`` reader would give), except a
    mask whose largest value is ``1``, which holds 0/1 labels.

    Args:
        path (str): The mask file.

    Returns:
        np.ndarray: ``[H, W]`` float32 weights.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it cannot be decoded as an image.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'foreground mask not found: {path}')
    mask = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if mask is None:
        raise ValueError(f'cannot decode the foreground mask {path}')
    if mask.ndim == 3:
        mask = mask[..., :3].max(axis=2)
    if mask.dtype == np.bool_:
        return mask.astype(np.float32)
    if not np.issubdtype(mask.dtype, np.integer):
        raise ValueError(f'foreground mask {path}: expected an 8- or 16-bit '
                         f'image, got dtype {mask.dtype}')
    peak = int(mask.max()) if mask.size else 0
    scale = 1.0 if peak == 1 else float(np.iinfo(mask.dtype).max)
    return mask.astype(np.float32) / scale


@TRANSFORMS.register_module()
class MaskBackground(BaseTransform):
    """Multiply the image by its foreground mask (background to black).

    The simplified Human3.6M release ships one mask per frame
    (``S*/BackgroudMask/<seq>/<frame>.png``); the public protocol trains and
    tests on the masked frames. Put this transform right after
    ``LoadImage`` (before any crop or resize), since the mask has the size
    of the stored image.

    Required Keys:

        - img (``[H, W, C]`` uint8 or float)
        - mask_path

    Modified Keys:

        - img (same dtype; ``img * mask``, rounded for integer images)

    Added Keys:

        - foreground_mask (``[H, W]`` float32 in ``[0, 1]``, if
          ``keep_mask``)

    Args:
        keep_mask (bool): Also store the mask in ``foreground_mask``.
            Defaults to ``False``.
    """

    def __init__(self, keep_mask: bool = False) -> None:
        super().__init__()
        self.keep_mask = keep_mask

    def transform(self, results: Dict) -> Dict:
        if 'mask_path' not in results:
            raise KeyError(f'MaskBackground: sample {results.get("img_path")} '
                           'has no mask_path')
        img = results['img']
        mask = read_foreground_mask(results['mask_path'])
        if mask.shape != img.shape[:2]:
            raise ValueError(
                f'foreground mask {results["mask_path"]} is '
                f'{mask.shape[1]}x{mask.shape[0]} (w x h) but the image '
                f'{results.get("img_path")} is {img.shape[1]}x{img.shape[0]}')
        weights = mask[..., None] if img.ndim == 3 else mask
        masked = img.astype(np.float32) * weights
        if np.issubdtype(img.dtype, np.integer):
            masked = np.rint(masked)
        results['img'] = masked.astype(img.dtype)
        if self.keep_mask:
            results['foreground_mask'] = mask
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(keep_mask={self.keep_mask})'
