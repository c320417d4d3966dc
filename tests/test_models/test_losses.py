import pytest
import torch
from torchvision.models import vgg16

from mmkp_unsup.models import (PerceptualLoss, PixelReconstructionLoss,
                               VGG16Features, masked_mean)


def test_pixel_loss_values():
    pred = torch.full((1, 3, 2, 2), 51.0)
    target = torch.zeros(1, 3, 2, 2)
    assert PixelReconstructionLoss('l1')(pred, target).item() == \
        pytest.approx(0.2)
    assert PixelReconstructionLoss('l2', loss_weight=10)(
        pred, target).item() == pytest.approx(10 * 0.04)
    mask = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])
    assert PixelReconstructionLoss('l1')(pred, target, mask).item() == \
        pytest.approx(0.2 / 4)
    with pytest.raises(ValueError, match='criterion'):
        PixelReconstructionLoss('huber')


def test_masked_mean_resizes_the_mask():
    values = torch.ones(1, 2, 4, 4)
    mask = torch.zeros(1, 1, 8, 8)
    mask[..., :, :4] = 1.0  # left half
    assert masked_mean(values, mask).item() == pytest.approx(0.5)


def small_perceptual(**kwargs):
    kwargs.setdefault('init_values', (100.0, 1.6))
    return PerceptualLoss(
        loss_network=dict(type='VGG16Features', layers=('conv1_2', ),
                          weights=None),
        **kwargs)


def test_perceptual_running_average_normalisation():
    loss_fn = small_perceptual()
    pred = torch.rand(2, 3, 16, 16) * 255
    target = torch.rand(2, 3, 16, 16) * 255
    terms = loss_fn.term_losses(pred, target)
    expected_pixels = ((pred - target)**2).mean()
    assert terms[0].item() == pytest.approx(expected_pixels.item(), rel=1e-5)

    loss = loss_fn(pred, target)
    divisor = torch.tensor([100.0, 1.6]) + 0.01 * (
        terms - torch.tensor([100.0, 1.6]))
    assert loss.item() == pytest.approx(
        1000 * (terms / divisor).sum().item(), rel=1e-5)
    # the buffer now holds the divisor; a second call divides by its update
    torch.testing.assert_close(loss_fn.running_avg, divisor)
    # eval mode does not move the running averages
    loss_fn.eval()
    loss_fn(pred, target)
    torch.testing.assert_close(loss_fn.running_avg, divisor)
    assert 'running_avg' in loss_fn.state_dict()


def test_perceptual_gradient_flows_through_the_divisor():
    loss_fn = small_perceptual(include_input=False, init_values=(1.6, ))
    pred = (torch.rand(1, 3, 8, 8) * 255).requires_grad_()
    target = torch.rand(1, 3, 8, 8) * 255
    loss_fn(pred, target).backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    assert not any(p.requires_grad for p in loss_fn.loss_network.parameters())


def test_perceptual_checks_init_values():
    with pytest.raises(ValueError, match='one value per loss term'):
        PerceptualLoss(loss_network=dict(type='VGG16Features', weights=None),
                       init_values=(1.0, 2.0))


def test_vgg16_features_load_a_torchvision_checkpoint(tmp_path):
    reference = vgg16(weights=None)
    state = {k: v for k, v in reference.state_dict().items()
             if k.startswith('features.')}
    path = tmp_path / 'vgg16_features.pth'
    torch.save(state, path)

    net = VGG16Features(layers=('conv1_2', 'conv2_2'), weights=str(path))
    net.init_weights()
    image = torch.rand(1, 3, 16, 16) * 255
    x = (image / 255 - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
         ) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.no_grad():
        expected_conv1_2 = reference.features[:4](x)
        expected_conv2_2 = reference.features[:9](x)
        out = net(image)
    torch.testing.assert_close(out[0], expected_conv1_2)
    torch.testing.assert_close(out[1], expected_conv2_2)
    assert not net.training
    net.train()
    assert not net.training  # the loss network stays frozen in eval mode


def test_vgg16_features_report_wrong_checkpoints(tmp_path):
    path = tmp_path / 'not_vgg.pth'
    torch.save({'conv.weight': torch.zeros(1)}, path)
    net = VGG16Features(layers=('conv1_2', ), weights=str(path))
    with pytest.raises(KeyError, match='not_vgg.pth'):
        net.init_weights()
    grey = VGG16Features(layers=('conv1_2', ), input_mode='grey',
                         weights=None)
    state = {f'features.{k}': v
             for k, v in vgg16(weights=None).features.state_dict().items()}
    with pytest.raises(ValueError, match="input_mode='grey'"):
        grey.load_vgg_state_dict(state)


def test_grey_mode_preprocessing():
    grey = VGG16Features(layers=('conv1_1', ), input_mode='grey',
                         weights=None)
    image = torch.full((1, 3, 4, 4), 114.451)
    assert grey.preprocess(image).abs().max() < 1e-6
    assert grey(image)[0].shape == (1, 64, 4, 4)
