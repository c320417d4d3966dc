import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample


def test_head_predicts_pixels_from_batch_input_shape():
    head = MODELS.build(dict(type='SoftArgmaxKeypointHead'))
    logits = torch.full((1, 2, 4, 4), -50.0)
    logits[0, 0, 0, 3] = 50.0  # top right cell
    logits[0, 1, 3, 0] = 50.0  # bottom left cell
    sample = PoseDataSample(metainfo=dict(batch_input_shape=(32, 32)))
    (pred, ) = head.predict((logits, ), [sample])
    assert isinstance(pred, InstanceData)
    # marginal soft-argmax: grid ends map to 0 and 32 pixels
    np.testing.assert_allclose(pred.keypoints[0], [[32, 0], [0, 32]],
                               atol=1e-3)
    assert pred.keypoint_scores.shape == (1, 2)
    with pytest.raises(ValueError, match='batch_input_shape'):
        head.predict((logits, ), [PoseDataSample()])
    with pytest.raises(ValueError, match='flip_test'):
        head.predict((logits, ), [sample], test_cfg=dict(flip_test=True))
    with pytest.raises(RuntimeError, match='no supervised loss'):
        head.loss((logits, ), [sample])


def test_learned_encoder_in_an_ordinary_mmpose_topdown_model():
    """KeypointEncoder + SoftArgmaxKeypointHead work inside mmpose's
    TopdownPoseEstimator: predictions come back in original-image pixels."""
    model = MODELS.build(
        dict(
            type='TopdownPoseEstimator',
            data_preprocessor=dict(type='PoseDataPreprocessor'),
            backbone=dict(type='KeypointEncoder', num_keypoints=3,
                          n_filters=4),
            head=dict(type='SoftArgmaxKeypointHead'),
            test_cfg=dict(flip_test=False))).eval()
    sample = PoseDataSample(
        metainfo=dict(input_size=(32, 32), input_center=np.array([50., 60.]),
                      input_scale=np.array([64., 64.])))
    sample.gt_instances = InstanceData(
        bboxes=np.array([[18., 28., 82., 92.]]), bbox_scores=np.ones(1))
    data = model.data_preprocessor(
        dict(inputs=[torch.zeros(3, 32, 32, dtype=torch.uint8)],
             data_samples=[sample]), False)
    with torch.no_grad():
        (pred, ) = model.predict(data['inputs'], data['data_samples'])
    kpts = pred.pred_instances.keypoints
    assert kpts.shape == (1, 3, 2)
    # input pixels [0, 32] mapped into the 64-pixel box around (50, 60)
    assert (kpts[..., 0] >= 18 - 1e-3).all() and (kpts[..., 0] <= 82).all()
    assert (kpts[..., 1] >= 28 - 1e-3).all() and (kpts[..., 1] <= 92).all()
