"""The release's face preprocessing: a non-uniform resize, then a crop
(see docs/data_preparation_faces.md, "Pixel convention")."""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmpose.registry import TRANSFORMS


def resize_crop_matrix(size_hw: Tuple[int, int],
                       resize_hw: Tuple[int, int],
                       crop_xy: Tuple[int, int] = (0, 0)) -> np.ndarray:
    """Affine map of the image from its pixels to the cropped output.

    Bilinear resizing with ``align_corners=True`` (as TensorFlow's
    ``resize_images(..., align_corners=True)`` in the release) maps pixel
    centres, integer coordinates, as ``p' = p (n_out - 1) / (n_in - 1)``;
    the crop then subtracts its top-left corner.

    Args:
        size_hw (tuple[int, int]): Input image ``(h, w)``.
        resize_hw (tuple[int, int]): Resized image ``(h, w)``.
        crop_xy (tuple[int, int]): Top-left ``(x, y)`` of the crop in the
            resized image. Defaults to ``(0, 0)``.

    Returns:
        np.ndarray: ``[2, 3]`` matrix mapping ``(x, y, 1)`` input pixels to
        output pixels.
    """
    (h, w), (rh, rw) = size_hw, resize_hw
    sx = (rw - 1) / max(w - 1, 1)
    sy = (rh - 1) / max(h - 1, 1)
    return np.array([[sx, 0.0, -crop_xy[0]], [0.0, sy, -crop_xy[1]]],
                    dtype=np.float64)


@TRANSFORMS.register_module()
class ResizeCrop(BaseTransform):
    """Resize the whole image to a fixed size (non-uniformly), then crop.

    The release's preprocessing for static face images: CelebA is resized
    to 160x160 and cropped to rows/columns ``[16:144]`` (128x128,
    ``ResizeCrop(resize=(160, 160), crop=(16, 16, 128, 128))``), AFLW_R is
    resized to 128x128 with no crop (``ResizeCrop(resize=(128, 128))``).
    The image is resampled bilinearly with ``align_corners=True`` (pixel
    centres at integer coordinates, the first and last pixel centres kept
    in place), in one ``cv2.warpAffine`` for the resize and the crop.

    Landmarks, ``(x, y)`` pixels, move with the image. Two conventions:

    - ``'release'`` (default): ``p * n_out / n_in - crop`` as the release
      does (its ``_resize_points``); this is what produced the published
      numbers. It differs from the image's own mapping by up to about half
      a resized pixel at the far border.
    - ``'exact'``: the image's mapping,
      ``p * (n_out - 1) / (n_in - 1) - crop`` (pixel centres at integer
      coordinates, as mmpose's ``TopdownAffine``).

    ``n_in`` is the loaded image's size, or with
    ``keypoint_size_from='image_hw'`` the ``image_hw`` of the sample (the
    ``hw`` of AFLW_R's ``.mat`` files, which the release scales AFLW's
    landmarks by). Then a sample whose image has another size is an error
    naming the image file: its landmarks would not fit the image.

    Required Keys:

        - img

    Modified Keys:

        - img
        - img_shape
        - keypoints (optional; visibility is kept, as the release keeps
          every landmark)

    Added Keys:

        - input_size (``(w, h)`` of the output)

    Args:
        resize (Sequence[int]): ``(w, h)`` of the resized image.
        crop (Sequence[int], optional): ``(x, y, w, h)`` of the crop in the
            resized image; ``None`` for no crop. Defaults to ``None``.
        keypoint_mapping (str): ``'release'`` or ``'exact'``, see above.
            Defaults to ``'release'``.
        keypoint_size_from (str): ``'image'`` or ``'image_hw'``, see
            above. Defaults to ``'image'``.
    """

    MAPPINGS = ('release', 'exact')
    SIZE_SOURCES = ('image', 'image_hw')

    def __init__(self,
                 resize: Sequence[int],
                 crop: Optional[Sequence[int]] = None,
                 keypoint_mapping: str = 'release',
                 keypoint_size_from: str = 'image') -> None:
        super().__init__()
        if keypoint_size_from not in self.SIZE_SOURCES:
            raise ValueError(f'keypoint_size_from must be one of '
                             f'{self.SIZE_SOURCES}, got '
                             f'{keypoint_size_from!r}')
        self.keypoint_size_from = keypoint_size_from
        if len(resize) != 2 or min(resize) < 1:
            raise ValueError(f'resize must be (w, h) >= 1, got {resize}')
        self.resize = tuple(int(s) for s in resize)
        if crop is not None:
            if len(crop) != 4:
                raise ValueError(f'crop must be (x, y, w, h), got {crop}')
            x, y, cw, ch = (int(c) for c in crop)
            if x < 0 or y < 0 or cw < 1 or ch < 1 or x + cw > self.resize[
                    0] or y + ch > self.resize[1]:
                raise ValueError(f'crop {crop} does not fit in the resized '
                                 f'image of (w, h) {self.resize}')
            crop = (x, y, cw, ch)
        self.crop = crop
        if keypoint_mapping not in self.MAPPINGS:
            raise ValueError(f'keypoint_mapping must be one of '
                             f'{self.MAPPINGS}, got {keypoint_mapping!r}')
        self.keypoint_mapping = keypoint_mapping

    @property
    def output_size(self) -> Tuple[int, int]:
        """``(w, h)`` of the output image."""
        return self.resize if self.crop is None else self.crop[2:]

    def transform(self, results: dict) -> dict:
        img = results['img']
        h, w = img.shape[:2]
        crop_xy = (0, 0) if self.crop is None else self.crop[:2]
        matrix = resize_crop_matrix((h, w), self.resize[::-1], crop_xy)
        out_w, out_h = self.output_size
        results['img'] = cv2.warpAffine(
            img,
            matrix, (out_w, out_h),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE)
        results['img_shape'] = (out_h, out_w)
        results['input_size'] = (out_w, out_h)
        if 'keypoints' in results:
            if self.keypoint_size_from == 'image_hw':
                self._check_image_hw(results, (h, w))
            keypoints = np.asarray(results['keypoints'], dtype=np.float32)
            if self.keypoint_mapping == 'release':
                scale = np.array([self.resize[0] / w, self.resize[1] / h])
            else:
                scale = matrix[[0, 1], [0, 1]]
            moved = keypoints * scale - np.asarray(crop_xy)
            results['keypoints'] = moved.astype(np.float32)
        return results

    @staticmethod
    def _check_image_hw(results: dict, size_hw: Tuple[int, int]) -> None:
        """Raise unless the sample's ``image_hw`` is the image's size."""
        if 'image_hw' not in results:
            raise KeyError(
                'ResizeCrop(keypoint_size_from=\'image_hw\') needs '
                '`image_hw` in the sample (as AFLWRDataset gives), got none '
                f'for {results.get("img_path")}')
        image_hw = tuple(int(s) for s in results['image_hw'])
        if image_hw != tuple(size_hw):
            raise ValueError(
                f'{results.get("img_path")}: the image is {size_hw[0]}x'
                f'{size_hw[1]} (h x w) but its annotation gives hw = '
                f'{image_hw}, by which the release scales its landmarks; '
                'the image file does not match its annotation (re-download '
                'or re-extract it)')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(resize={self.resize}, '
                f'crop={self.crop}, '
                f'keypoint_mapping={self.keypoint_mapping!r}, '
                f'keypoint_size_from={self.keypoint_size_from!r})')
