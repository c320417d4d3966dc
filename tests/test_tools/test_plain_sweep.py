"""tools/misc/plain_sweep.py: an ensemble of G grouped models trains each
member exactly as G separate plain models would."""
import os.path as osp
import sys
import types

import torch

sys.path.insert(
    0, osp.join(osp.dirname(__file__), '..', '..', 'tools', 'misc'))
import plain_sweep  # noqa: E402


def _args(g: int) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        ensemble=g, k=4, nf=4, stages=1, app_nf=0, app_stages=-1, gen_nf=2,
        std=0.1, app_pool=0, kp_init='release')


def _pair(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Two members' [N, C, H, W] batches as one [N, 2C, H, W] input."""
    return torch.stack([a, b], 1).flatten(1, 2)


def test_ensemble_matches_separate_models():
    torch.manual_seed(0)
    first, second = plain_sweep.Model(_args(1)), plain_sweep.Model(_args(1))
    both = plain_sweep.Model(_args(2))
    with torch.no_grad():
        for name, value in both.state_dict().items():
            if value.dim():  # not num_batches_tracked
                value.copy_(torch.cat([first.state_dict()[name],
                                       second.state_dict()[name]]))
    src_a, tgt_a, src_b, tgt_b = torch.randn(4, 4, 3, 32, 32).unbind(1)

    rec_a, coords_a, _ = first(src_a, tgt_a)
    rec_b, coords_b, _ = second(src_b, tgt_b)
    rec, coords, _ = both(_pair(src_a, src_b), _pair(tgt_a, tgt_b))
    rec = rec.unflatten(1, (2, 3))
    coords = coords.unflatten(1, (2, 4))
    torch.testing.assert_close(rec[:, 0], rec_a, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(rec[:, 1], rec_b, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(coords[:, 1], coords_b, atol=1e-6, rtol=1e-5)

    # gradients 100x larger than the clipping norm, then clipped per member
    scale = 1e4
    (scale * (((rec_a - tgt_a)**2).mean() + ((rec_b - tgt_b)**2).mean())
     ).backward()
    (scale * ((rec - _pair(tgt_a, tgt_b).unflatten(1, (2, 3)))**2).mean(
        (0, 2, 3, 4)).sum()).backward()
    for model in (first, second):
        for param in model.parameters():
            torch.nn.utils.clip_grad_norm_([param], 1.0)
    plain_sweep.clip_per_member(both.parameters(), 2, 1.0)
    for (name, param), p_a, p_b in zip(both.named_parameters(),
                                       first.parameters(),
                                       second.parameters()):
        if name == 'phi.head.bias':
            continue  # zero in theory: the soft-argmax ignores a constant
        torch.testing.assert_close(
            param.grad, torch.cat([p_a.grad, p_b.grad]), atol=1e-4,
            rtol=1e-3, msg=name)
