"""Python inference API: load a trained model or landmark detector, run it
on images (see docs/inference.md).

Coordinates: every point returned here is ``(x, y)`` in pixels of the
original image (the image as given, before any crop or resize; the image
spans ``[0, W] x [0, H]``, pixel centres at integer + 0.5).
Array images are BGR ``uint8`` ``[H, W, 3]`` (OpenCV's order, as mmpose's
``inference_topdown`` expects).
"""
import copy
import os.path as osp
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import cv2
import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.model.utils import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.registry import DATASETS, MODELS
from ..engine.hooks.weights_only_checkpoint_hook import decode_plain
from ..visualization.drawing import keypoint_colors

ImageType = Union[str, Path, np.ndarray]

# keys of a parsed mmpose dataset meta that hold numpy arrays, and dtypes
_META_ARRAYS = dict(
    keypoint_colors=np.uint8,
    skeleton_link_colors=np.uint8,
    dataset_keypoint_weights=np.float32,
    sigmas=np.float32)


def plain_dataset_meta(dataset_meta: dict) -> dict:
    """A parsed mmpose dataset meta with numpy arrays turned into lists.

    Such a dict loads with ``torch.load(weights_only=True)`` and is still
    usable by mmpose's visualizer; :func:`array_dataset_meta` restores the
    arrays.
    """

    def plain(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(plain(v) for v in value)
        return value

    return plain(dataset_meta)


def array_dataset_meta(dataset_meta: dict) -> dict:
    """Inverse of :func:`plain_dataset_meta` (also decodes the tagged
    entries of :class:`WeightsOnlyCheckpointHook` checkpoints)."""
    meta = dict(decode_plain(dataset_meta))
    for key, dtype in _META_ARRAYS.items():
        if key in meta and meta[key] is not None:
            meta[key] = np.asarray(meta[key], dtype=dtype)
    return meta


def learned_keypoints_metainfo(num_keypoints: int) -> dict:
    """mmpose dataset meta describing K learned points (``kp0``...):
    distinct colours, no skeleton, no flip pairs (they are unknown)."""
    colors = keypoint_colors(num_keypoints)
    info = {
        k: dict(name=f'kp{k}', id=k, color=colors[k].tolist(), type='',
                swap='')
        for k in range(num_keypoints)
    }
    return parse_pose_metainfo(
        dict(dataset_name='learned_keypoints', keypoint_info=info,
             skeleton_info={}, joint_weights=[1.0] * num_keypoints,
             sigmas=[0.025] * num_keypoints))


def _dataset_meta_from_config(cfg: Config) -> Optional[dict]:
    """Meta of the labelled dataset named in the test (or val) dataloader
    (through :class:`RegressionSplitDataset` or pair wrappers)."""
    for loader in ('test_dataloader', 'val_dataloader', 'train_dataloader'):
        dataset = cfg.get(loader, {}).get('dataset')
        while isinstance(dataset, dict):
            if 'metainfo' in dataset:
                return parse_pose_metainfo(dataset['metainfo'])
            cls = DATASETS.get(dataset.get('type'))
            metainfo = getattr(cls, 'METAINFO', None)
            if metainfo and 'keypoint_info' in metainfo:
                return parse_pose_metainfo(metainfo)
            dataset = (dataset.get('eval_dataset') or dataset.get('dataset')
                       or dataset.get('fit_dataset'))
    return None


def init_model(config: Union[str, Path, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> nn.Module:
    """Build an :class:`UnsupervisedLandmarkEstimator` for inference.

    Like mmpose's ``init_model``, and in addition prepares the model for
    mmpose's ``inference_topdown`` and :func:`inference_landmarks`:

    - ``model.cfg.test_dataloader.dataset.pipeline`` is set to the
      config's ``inference_pipeline`` (load, ``GetBBoxCenterScale``,
      :class:`BoxToInput` (or mmpose's ``TopdownAffine``) to the network
      input, ``PackPoseInputs``);
    - ``model.test_cfg['output_space'] = 'image'``: predictions come back
      in pixels of the original image;
    - the reconstruction loss is replaced by a pixel loss (its loss network
      is not needed at inference);
    - ``model.dataset_meta``: the landmarks' meta stored in a detector
      checkpoint (``meta.dataset_meta``), else the learned points' meta
      (:func:`learned_keypoints_metainfo`); ``model.learned_keypoints_meta``
      always describes the K learned points.

    Args:
        config (str | Path | Config): The training config.
        checkpoint (str, optional): A training checkpoint or a detector
            written by ``tools/fit_landmark_detector.py``. ``None`` keeps
            random weights.
        device (str): ``'cpu'`` (the default) or e.g. ``'cuda:0'``.
        cfg_options (dict, optional): Overrides merged into the config.

    Returns:
        nn.Module: The model in eval mode on ``device``, with ``cfg``.

    Raises:
        ValueError: If the config has no ``inference_pipeline``.
        FileNotFoundError: If the checkpoint does not exist.
    """
    if isinstance(config, (str, Path)):
        config = Config.fromfile(str(config))
    elif not isinstance(config, Config):
        raise TypeError('config must be a file name or a Config, got '
                        f'{type(config)}')
    cfg = copy.deepcopy(config)  # the caller's config stays unchanged
    if cfg_options is not None:
        cfg.merge_from_dict(cfg_options)
    if not cfg.get('inference_pipeline'):
        raise ValueError(
            f'config {getattr(config, "filename", "")!r} has no '
            '`inference_pipeline` (the single-image pipeline: LoadImage, '
            'GetBBoxCenterScale, BoxToInput to the network input, '
            'PackPoseInputs); see configs/_base_/datasets/synthetic_faces.py')
    # where mmpose's inference_topdown reads the pipeline
    if cfg.get('test_dataloader') and cfg.test_dataloader.get('dataset'):
        cfg.test_dataloader.dataset.pipeline = cfg.inference_pipeline
    else:
        cfg.test_dataloader = dict(
            dataset=dict(pipeline=cfg.inference_pipeline))
    cfg.model.train_cfg = None
    cfg.model.test_cfg = dict(cfg.model.get('test_cfg') or {},
                              output_space='image')
    cfg.model.reconstruction_loss = dict(type='PixelReconstructionLoss')
    scope = cfg.get('default_scope', 'mmpose')
    if scope is not None:
        init_default_scope(scope)

    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    dataset_meta = None
    if checkpoint is not None:
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
        ckpt = load_checkpoint(
            model, checkpoint, map_location='cpu',
            revise_keys=[(r'^module\.', '')])
        meta = ckpt.get('meta') or {}
        if meta.get('dataset_meta'):
            dataset_meta = array_dataset_meta(meta['dataset_meta'])
    learned_meta = learned_keypoints_metainfo(model.num_keypoints)
    regressor = model.landmark_regressor
    if regressor.fitted:
        if dataset_meta is None:
            dataset_meta = _dataset_meta_from_config(cfg)
        if (dataset_meta is None
                or dataset_meta['num_keypoints'] != regressor.num_landmarks):
            raise ValueError(
                f'checkpoint {checkpoint} stores a regressor to '
                f'{regressor.num_landmarks} landmarks but no dataset meta '
                'describing them (write it with '
                'tools/fit_landmark_detector.py)')
    else:
        dataset_meta = learned_meta
    model.dataset_meta = dataset_meta
    model.learned_keypoints_meta = learned_meta
    model.cfg = cfg
    model.to(device)
    model.eval()
    return model


# the name a detection user looks for
init_detector = init_model


def read_image(image: ImageType) -> np.ndarray:
    """An image path or array as BGR ``uint8`` ``[H, W, 3]``.

    Raises:
        FileNotFoundError: If the path does not exist.
        ValueError: If the file is not a readable image, or the array is
            not ``[H, W, 3]`` / ``[H, W]``.
    """
    if isinstance(image, (str, Path)):
        path = str(image)
        if not osp.isfile(path):
            raise FileNotFoundError(f'image {path} does not exist')
        array = cv2.imread(path, cv2.IMREAD_COLOR)
        if array is None:
            raise ValueError(f'cannot read image {path}: not an image file '
                             'OpenCV can decode, or corrupt')
        return array
    array = np.asarray(image)
    if array.ndim == 2:
        array = cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError('an image array must be [H, W, 3] (BGR) or [H, W], '
                         f'got shape {array.shape}')
    return array


def _sample_to_result(sample, landmark_names: Optional[List[str]]) -> dict:
    """One data sample of the estimator as a dict of numpy arrays."""
    pred = sample.pred_instances
    result = dict(
        keypoints=np.asarray(pred.learned_keypoints[0], np.float32),
        keypoint_scores=np.asarray(pred.learned_keypoint_scores[0],
                                   np.float32),
        bbox=np.asarray(pred.bboxes[0], np.float32)
        if 'bboxes' in pred else None,
        img_path=sample.metainfo.get('img_path'))
    if landmark_names is not None:
        result.update(
            landmarks=np.asarray(pred.keypoints[0], np.float32),
            landmark_scores=np.asarray(pred.keypoint_scores[0], np.float32),
            landmark_names=list(landmark_names))
    return result


@torch.no_grad()
def inference_landmarks(model: nn.Module,
                        images: Union[ImageType, Sequence[ImageType]],
                        bboxes: Optional[Sequence] = None,
                        batch_size: int = 16) -> List[Dict]:
    """Learned keypoints (and stored landmarks) of images, in batches.

    Each image, or its box, is cropped and resized to the network input by
    the config's ``inference_pipeline``, and the predictions are mapped
    back to the image.

    Args:
        model (nn.Module): From :func:`init_model`.
        images (str | Path | np.ndarray | Sequence): One image or a list:
            paths or BGR ``uint8`` arrays ``[H, W, 3]``.
        bboxes (Sequence, optional): Per image a box ``[x1, y1, x2, y2]``
            (pixels) framing the object as the training images framed it,
            or ``None`` for the whole image. Defaults to the whole images.
        batch_size (int): Images per forward pass. Defaults to ``16``.

    Returns:
        list[dict]: Per image: ``keypoints`` ``[K, 2]`` (the learned
        points, ``(x, y)`` pixels of the image), ``keypoint_scores``
        ``[K]`` (1 for a sharp heatmap, 0 for a flat one), ``bbox`` ``[4]``
        (the box used), ``img_path``; with a stored regressor also
        ``landmarks`` ``[L, 2]``, ``landmark_scores`` ``[L]`` and
        ``landmark_names`` (``L`` names from the dataset meta).
    """
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, got {batch_size}')
    single = isinstance(images, (str, Path, np.ndarray))
    images = [images] if single else list(images)
    if bboxes is None:
        bboxes = [None] * len(images)
    elif single:
        bboxes = [bboxes]
    if len(bboxes) != len(images):
        raise ValueError(f'got {len(bboxes)} boxes for {len(images)} images')
    pipeline = Compose(model.cfg.inference_pipeline)
    names = None
    if model.landmark_regressor.fitted:
        id2name = model.dataset_meta['keypoint_id2name']
        names = [id2name[i] for i in range(len(id2name))]

    results = []
    for start in range(0, len(images), batch_size):
        batch = []
        for image, bbox in zip(images[start:start + batch_size],
                               bboxes[start:start + batch_size]):
            array = read_image(image)
            h, w = array.shape[:2]
            box = (np.array([0, 0, w, h], np.float32)
                   if bbox is None else np.asarray(bbox, np.float32))
            if box.shape != (4, ) or not (box[2] > box[0]
                                          and box[3] > box[1]):
                raise ValueError('a box must be [x1, y1, x2, y2] with x2 > '
                                 f'x1 and y2 > y1, got {bbox}')
            info = dict(img=array, bbox=box[None],
                        bbox_score=np.ones(1, np.float32))
            if not isinstance(image, np.ndarray):
                info['img_path'] = str(image)
            info.update(model.dataset_meta)
            batch.append(pipeline(info))
        samples = model.test_step(pseudo_collate(batch))
        results.extend(_sample_to_result(s, names) for s in samples)
    return results
