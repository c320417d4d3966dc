"""Packing (source, target) pairs for the model."""
from typing import Sequence

import numpy as np

from mmpose.datasets.transforms.formatting import (PackPoseInputs,
                                                   image_to_tensor)
from mmpose.registry import TRANSFORMS

DEFAULT_META_KEYS = ('id', 'img_id', 'img_path', 'category_id', 'crowd_index',
                     'ori_shape', 'img_shape', 'input_size', 'input_center',
                     'input_scale', 'flip', 'flip_direction', 'flip_indices',
                     'raw_ann_info', 'dataset_name', 'clip_id', 'frame_id',
                     'source_id', 'equivariance_warp', 'activity')


@TRANSFORMS.register_module()
class PackPairInputs(PackPoseInputs):
    """Pack a (source, target) pair, or a single image, for the model.

    Like mmpose's :class:`PackPoseInputs` (annotations of the target go to
    ``gt_instances``, meta keys to the metainfo), and in addition:

    - with ``source_img`` in the results, ``inputs`` becomes the dict
      ``{'target': [C, H, W], 'source': [C, H, W]}`` (see
      :class:`PairDataPreprocessor`); without it, the target tensor alone;
    - with ``warped_img`` in the results (added by
      :class:`EquivarianceWarp`), ``inputs`` becomes a dict with a
      ``'warped'`` view too (the estimator predicts it for
      :class:`EquivarianceMetric`);
    - ``loss_mask`` (``[H, W]``) goes to ``gt_fields.loss_mask``
      (``[1, H, W]``).

    Required Keys:

        - img
        - source_img (optional)
        - warped_img (optional)
        - loss_mask (optional)

    Args:
        meta_keys (Sequence[str]): Keys stored in the metainfo. Defaults
            to mmpose's plus ``clip_id``, ``frame_id``, ``source_id``,
            ``equivariance_warp`` and ``activity``.
        pack_transformed (bool): Also pack ``transformed_keypoints``.
            Defaults to ``False``.
    """

    field_mapping_table = dict(
        PackPoseInputs.field_mapping_table, loss_mask='loss_mask')

    def __init__(self,
                 meta_keys: Sequence[str] = DEFAULT_META_KEYS,
                 pack_transformed: bool = False) -> None:
        super().__init__(
            meta_keys=tuple(meta_keys), pack_transformed=pack_transformed)

    def transform(self, results: dict) -> dict:
        if 'loss_mask' in results and np.ndim(results['loss_mask']) == 2:
            results = dict(results, loss_mask=results['loss_mask'][None])
        packed = super().transform(results)
        views = {
            view: image_to_tensor(results[f'{view}_img'])
            for view in ('source', 'warped') if f'{view}_img' in results
        }
        if views:
            packed['inputs'] = dict(target=packed['inputs'], **views)
        return packed
