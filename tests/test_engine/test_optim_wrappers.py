import pytest
import torch
from mmengine.optim import build_optim_wrapper

import mmkp_unsup  # noqa: F401


def make_model():
    model = torch.nn.Module()
    model.a = torch.nn.Parameter(torch.zeros(4))
    model.b = torch.nn.Parameter(torch.zeros(3))
    return model


@pytest.mark.parametrize('wrapper', ['PerTensorClipOptimWrapper',
                                     'PerTensorClipAmpOptimWrapper'])
def test_each_tensor_is_clipped_on_its_own(wrapper):
    if wrapper.startswith('PerTensorClipAmp') and \
            not torch.cuda.is_available():
        pytest.skip('AmpOptimWrapper needs a GPU')
    model = make_model()
    optim = build_optim_wrapper(
        model,
        dict(type=wrapper, optimizer=dict(type='SGD', lr=0.0),
             clip_grad=dict(max_norm=1.0)))
    model.a.grad = torch.full((4, ), 1.5)  # norm 3 -> clipped to 1
    model.b.grad = torch.tensor([0.3, 0.0, 0.4])  # norm 0.5 -> unchanged
    optim.step()
    assert model.a.grad.norm().item() == pytest.approx(1.0)
    assert model.b.grad.norm().item() == pytest.approx(0.5)
    # a global-norm clip would have shrunk b too
    assert optim.message_hub.get_scalar('train/grad_norm').current() == \
        pytest.approx(3.0)


def test_bfloat16_autocast_in_the_plain_wrapper():
    model = torch.nn.Linear(4, 3)
    optim = build_optim_wrapper(
        model,
        dict(type='PerTensorClipOptimWrapper', autocast_dtype='bfloat16',
             optimizer=dict(type='SGD', lr=0.1)))
    x = torch.randn(2, 4)
    with optim.optim_context(model):
        out = model(x)
    assert out.dtype == torch.bfloat16
    optim.update_params(out.float().sum())
    # parameters and gradients stay float32
    assert model.weight.dtype == torch.float32
    plain = build_optim_wrapper(
        model, dict(type='PerTensorClipOptimWrapper',
                    optimizer=dict(type='SGD', lr=0.1)))
    with plain.optim_context(model):
        assert model(x).dtype == torch.float32
    with pytest.raises(ValueError, match='autocast_dtype'):
        build_optim_wrapper(
            model, dict(type='PerTensorClipOptimWrapper',
                        autocast_dtype='float16',
                        optimizer=dict(type='SGD', lr=0.1)))
