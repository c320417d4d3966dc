"""Export the keypoint detector Phi to ONNX (see docs/export_and_reuse.md).

The exported graph is the whole detector a user needs: the data
preprocessor's normalisation, the keypoint encoder, the soft-argmax and the
conversion to pixels. It takes float images in pixel units (``[0, 255]``)
and returns K keypoints ``(x, y)`` in pixels of the input image and their
scores.
"""
import copy
import warnings
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from ..models.utils.coordinates import spread_to_score

INPUT_NAME = 'images'
OUTPUT_NAMES = ('keypoints', 'scores')


class KeypointDetector(nn.Module):
    """Images to keypoints in pixels, as one module (the exported graph).

    Wraps a trained model that has a ``backbone`` whose last output is the
    heatmap logits (:class:`KeypointEncoder`), a ``head`` with a
    ``coordinate_decoder`` (:class:`SoftArgmaxKeypointHead`) and a
    ``data_preprocessor``: :class:`UnsupervisedLandmarkEstimator`, or an
    mmpose ``TopdownPoseEstimator`` built from the same parts. The weights
    are copied; the copy is in eval mode and in the contiguous (not
    channels-last) memory format.

    Note:
        - batch size: B
        - keypoints: K
        - image size: H x W (divisible by the encoder's stride)

    Args:
        model (nn.Module): The trained model.

    Inputs (``forward``):
        images (Tensor): ``[B, 3, H, W]`` float images in pixel units
        (``[0, 255]``), in the channel order the network was trained on:
        RGB when the data preprocessor converted loaded BGR images
        (``bgr_to_rgb=True``, the default), else as loaded (BGR). The
        preprocessor's ``(x - mean) / std`` happens inside.

    Returns (``forward``):
        tuple[Tensor, Tensor]: ``keypoints`` ``[B, K, 2]`` as ``(x, y)`` in
        pixels of the input image (the release's ``(mu + 1) / 2 * size``)
        and ``scores`` ``[B, K]`` in ``[0, 1]`` (1 for a point-like
        heatmap, 0 for a flat one), the same as ``model.predict`` gives.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        for part in ('backbone', 'head', 'data_preprocessor'):
            if not hasattr(model, part):
                raise ValueError(
                    f'{type(model).__name__} has no {part}: expected a model '
                    'with a keypoint-encoder backbone, a soft-argmax head and '
                    'a data preprocessor (e.g. UnsupervisedLandmarkEstimator)')
        if not hasattr(model.head, 'coordinate_decoder'):
            raise ValueError(
                f'the head {type(model.head).__name__} has no '
                'coordinate_decoder: expected SoftArgmaxKeypointHead')
        preprocessor = model.data_preprocessor
        self.backbone = copy.deepcopy(model.backbone).float()
        self.coordinate_decoder = copy.deepcopy(model.head.coordinate_decoder)
        self.backbone.to(memory_format=torch.contiguous_format)
        self.normalize = bool(
            getattr(preprocessor, '_enable_normalize', False))
        if self.normalize:
            mean = preprocessor.mean.detach().float().reshape(1, -1, 1, 1)
            std = preprocessor.std.detach().float().reshape(1, -1, 1, 1)
        else:
            mean = torch.zeros(1, 3, 1, 1)
            std = torch.ones(1, 3, 1, 1)
        self.register_buffer('mean', mean.clone().cpu())
        self.register_buffer('std', std.clone().cpu())
        self.channel_order = ('RGB' if getattr(
            preprocessor, '_channel_conversion', False) else 'as loaded (BGR)')
        self.eval()

    def forward(self, images: Tensor) -> Tuple[Tensor, Tensor]:
        x = images
        if self.normalize:
            x = (x - self.mean) / self.std
        logits = self.backbone(x)[-1]
        coords, spread = self.coordinate_decoder(logits)
        h, w = images.shape[-2:]
        scale = torch.tensor([w, h], dtype=coords.dtype, device=coords.device)
        keypoints = (coords + 1.0) / 2.0 * scale
        return keypoints, spread_to_score(spread)

    def metadata(self, input_size: Sequence[int]) -> Dict[str, str]:
        """What a user of the exported file needs to know, as strings."""
        return dict(
            input=f'{INPUT_NAME}: [B, 3, {input_size[0]}, {input_size[1]}] '
            f'float32 pixel values in [0, 255], channel order '
            f'{self.channel_order}; normalisation is inside the graph',
            normalisation=(f'mean={self.mean.flatten().tolist()}, '
                           f'std={self.std.flatten().tolist()}'
                           if self.normalize else 'none (raw pixels)'),
            keypoints='[B, K, 2] (x, y) in pixels of the input image',
            scores='[B, K] in [0, 1], 1 = point-like heatmap',
            num_keypoints=str(
                int(self.backbone.num_keypoints
                    ) if hasattr(self.backbone, 'num_keypoints') else -1),
            producer='mmkp_unsup')


def export_onnx(model: nn.Module,
                out_file: str,
                input_size: Sequence[int] = (128, 128),
                opset: int = 17,
                dynamic_batch: bool = True,
                example_batch: int = 2) -> KeypointDetector:
    """Write the keypoint detector of ``model`` to an ONNX file.

    Args:
        model (nn.Module): A trained model (see :class:`KeypointDetector`).
        out_file (str): Path of the ``.onnx`` file to write.
        input_size (Sequence[int]): ``(H, W)`` of the input images; fixed in
            the graph. Defaults to ``(128, 128)`` (the release).
        opset (int): ONNX opset version. Defaults to ``17``.
        dynamic_batch (bool): Leave the batch dimension free. Defaults to
            ``True``.
        example_batch (int): Batch size of the tracing example. Defaults to
            ``2``.

    Returns:
        KeypointDetector: The exported module (for comparisons).
    """
    if len(input_size) != 2 or min(input_size) < 1:
        raise ValueError(f'input_size must be (H, W), got {input_size}')
    detector = KeypointDetector(model).cpu()
    stride = getattr(detector.backbone, 'stride', 1)
    if input_size[0] % stride or input_size[1] % stride:
        raise ValueError(f'input_size {tuple(input_size)} must be divisible '
                         f'by the encoder stride {stride}')
    example = torch.rand(example_batch, 3, *input_size) * 255
    dynamic_axes: Optional[dict] = None
    if dynamic_batch:
        dynamic_axes = {
            name: {
                0: 'batch'
            }
            for name in (INPUT_NAME, ) + OUTPUT_NAMES
        }
    # the input size is fixed in the graph: shape checks traced as constants
    # are intended; the TorchScript-based exporter (dynamo=False) needs no
    # onnxscript
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        warnings.simplefilter('ignore', DeprecationWarning)
        torch.onnx.export(
            detector, (example, ),
            out_file,
            input_names=[INPUT_NAME],
            output_names=list(OUTPUT_NAMES),
            dynamic_axes=dynamic_axes,
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False)
    _add_metadata(out_file, detector.metadata(input_size))
    return detector


def _add_metadata(out_file: str, metadata: Dict[str, str]) -> None:
    """Store ``metadata`` in the file's ``metadata_props`` (needs onnx)."""
    import onnx
    proto = onnx.load(out_file)
    onnx.checker.check_model(proto)
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, out_file)


def load_model(config,
               checkpoint: Optional[str] = None,
               cfg_options: Optional[dict] = None,
               device: str = 'cpu') -> nn.Module:
    """Build the model of a config and load a checkpoint's weights into it.

    Args:
        config (str | mmengine.Config): Config file or object.
        checkpoint (str, optional): Checkpoint (a runner checkpoint with
            ``state_dict``, or a bare state dict). ``None`` keeps the
            initial weights.
        cfg_options (dict, optional): Overrides merged into the config.
        device (str): Device of the model. Defaults to ``'cpu'``.

    Returns:
        nn.Module: The model in eval mode.

    Raises:
        KeyError: If the checkpoint lacks weights of the keypoint encoder
            (``backbone.*``) or has them under other names.
    """
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner.checkpoint import CheckpointLoader
    from mmengine.utils import import_modules_from_strings

    from mmpose.registry import MODELS

    cfg = (
        Config.fromfile(config)
        if isinstance(config, str) else copy.deepcopy(config))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
        state = ckpt.get('state_dict', ckpt)
        state = {
            (k[len('module.'):] if k.startswith('module.') else k): v
            for k, v in state.items()
        }
        missing, _ = model.load_state_dict(state, strict=False)
        missing_backbone = [k for k in missing if k.startswith('backbone.')]
        if missing_backbone:
            raise KeyError(
                f'{checkpoint}: no weights for {missing_backbone[:5]} '
                f'({len(missing_backbone)} backbone entries missing): is it '
                'a checkpoint of this config?')
    return model.to(device).eval()
