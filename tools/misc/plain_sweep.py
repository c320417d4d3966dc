"""Plain-PyTorch copy of the small-image training step, for fast sweeps.

Not part of the package: a self-contained re-implementation of
configs/synthetic_k10.py (encoders, marginal soft-argmax, Gaussian maps,
generator, pixel loss, Adam with per-tensor clipping, linear-regression
NME) used to compare settings on many machines at once. Needs only torch,
numpy and cv2, plus the two renderer modules (importable from mmkp_unsup,
or copied next to it: face_renderer.py alone, object_renderer.py as a
package ``synthetic/`` together with photo_canvas.py, whose backgrounds and
drawing it shares with the quadrupeds).

    python plain_sweep.py --render DATA.npz            # draw both families
    python plain_sweep.py --data DATA.npz --family objects --name x \
        --std 0.15 --iters 6000 --out RESULT.json
    # eight seeds of one setting at once (grouped convolutions)
    python plain_sweep.py --data DATA.npz --family faces --ensemble 8 ...
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def _renderers():
    try:
        import face_renderer as fr  # copied next to this script
        from synthetic import object_renderer as orr
    except ImportError:
        from mmkp_unsup.datasets.synthetic import face_renderer as fr
        from mmkp_unsup.datasets.synthetic import object_renderer as orr
    return fr, orr


# ---------------------------------------------------------------- data
def render_faces(num_clips, frames, seed, size=32):
    fr, _ = _renderers()
    rng = np.random.default_rng(seed)
    images, lms, bbs = [], [], []
    for _ in range(num_clips):
        ident = fr.sample_identity(rng)
        for _ in range(frames):
            pose = fr.sample_pose(rng)
            img, lm = fr.render_face(ident, pose, size)
            r = pose.scale * size
            cx, cy = pose.center_x * size - .5, pose.center_y * size - .5
            images.append(img)
            lms.append(lm)
            bbs.append([cx - r, cy - r, cx + r, cy + r])
    return np.stack(images), np.stack(lms), np.array(bbs, np.float32)


def render_objects(num_clips, frames, seed, size=32, first=0):
    _, orr = _renderers()
    photos = orr.load_photos()
    images, lms, bbs = [], [], []
    for clip in range(first, first + num_clips):
        rng = np.random.default_rng([seed, clip])  # as SyntheticObjectDataset
        ident = orr.sample_object_identity(rng, len(photos))
        bg = orr.render_background(ident, photos, size)
        poses = (orr.sample_object_motion(rng, frames)
                 if frames > 1 else [orr.sample_object_pose(rng)])
        for pose in poses:
            img, lm = orr.render_object(ident, pose, size, bg)
            images.append(img)
            lms.append(lm)
            bbs.append(orr.object_bbox(ident, pose, size))
    return np.stack(images), np.stack(lms), np.array(bbs, np.float32)


def _render_job(job):
    fam, split, n, f, s, first = job
    fn = render_faces if fam == 'faces' else render_objects
    if fam == 'faces':
        return job, fn(n, f, s)
    return job, fn(n, f, s, first=first)


def render_all(path, workers=14):
    from multiprocessing import Pool
    jobs = []
    for fam in ('faces', 'objects'):
        for split, (n, f, s) in dict(
                train=(2000, 8, 0), fit=(2000, 1, 1),
                eval=(1000, 1, 2)).items():
            # objects: per-clip generators, drawn in chunks in parallel
            step = n if fam == 'faces' else 250
            for first in range(0, n, step):
                jobs.append((fam, split, min(step, n - first), f, s, first))
    t = time.time()
    with Pool(workers) as pool:
        results = pool.map(_render_job, jobs)
    parts = {}
    for (fam, split, n, f, s, first), arrays in results:
        parts.setdefault((fam, split), []).append((first, arrays))
    out = {}
    for (fam, split), chunks in parts.items():
        chunks.sort(key=lambda c: c[0])
        for i, key in enumerate(('img', 'lm', 'bb')):
            out[f'{fam}_{split}_{key}'] = np.concatenate(
                [c[1][i] for c in chunks])
    print('rendered in', time.time() - t, flush=True)
    np.savez(path, **out)


# ---------------------------------------------------------------- model
# Every layer is grouped: an ensemble of G independent models (G seeds of
# one setting) trains as one network with G groups of channels; G = 1 is
# the plain model.
def conv_bn(cin, cout, k, s=1, g=1):
    return nn.Sequential(
        nn.Conv2d(cin * g, cout * g, k, s, k // 2, bias=False, groups=g),
        nn.BatchNorm2d(cout * g, eps=1e-3, momentum=0.01),
        nn.ReLU(inplace=True))


class Encoder(nn.Module):

    def __init__(self, nf, stages, k=None, g=1):
        super().__init__()
        layers = [conv_bn(3, nf, 7, g=g), conv_bn(nf, nf, 3, g=g)]
        c = nf
        for _ in range(stages):
            layers += [conv_bn(c, 2 * c, 3, 2, g=g),
                       conv_bn(2 * c, 2 * c, 3, g=g)]
            c *= 2
        self.net = nn.Sequential(*layers)
        self.out_channels = c
        self.head = nn.Conv2d(c * g, k * g, 1, groups=g) if k else None

    def forward(self, x):
        x = self.net(x)
        return self.head(x) if self.head is not None else x


class Generator(nn.Module):

    def __init__(self, cin, nf, ups, g=1):
        super().__init__()
        ch = 8 * nf
        self.stages = nn.ModuleList()
        for _ in range(ups):
            self.stages.append(
                nn.Sequential(conv_bn(cin, ch, 3, g=g),
                              conv_bn(ch, ch, 3, g=g)))
            cin, ch = ch, max(ch // 2, 1)
        self.final = conv_bn(cin, ch, 3, g=g)
        self.to_image = nn.Conv2d(ch * g, 3 * g, 3, padding=1, groups=g)

    def forward(self, x):
        for st in self.stages:
            x = F.interpolate(st(x), scale_factor=2, mode='bilinear',
                              align_corners=False)
        return self.to_image(self.final(x))


def marginal(logits):
    h, w = logits.shape[-2:]
    py = F.softmax(logits.mean(3), 2)
    px = F.softmax(logits.mean(2), 2)
    gy = torch.linspace(-1, 1, h, device=logits.device)
    gx = torch.linspace(-1, 1, w, device=logits.device)
    my, mx = (py * gy).sum(2), (px * gx).sum(2)
    vy = (py * (gy - my[..., None])**2).sum(2)
    vx = (px * (gx - mx[..., None])**2).sum(2)
    return torch.stack([mx, my], -1), torch.stack([vx, vy], -1).sqrt()


def gauss(coords, h, w, std):
    gy = torch.linspace(-1, 1, h, device=coords.device).view(1, 1, h, 1)
    gx = torch.linspace(-1, 1, w, device=coords.device).view(1, 1, 1, w)
    d = (gy - coords[..., 1, None, None])**2 + (
        gx - coords[..., 0, None, None])**2
    return torch.exp(-d / std**2)


class Model(nn.Module):

    def __init__(self, a):
        super().__init__()
        g = self.groups = a.ensemble
        self.k = a.k
        self.phi = Encoder(a.nf, a.stages, a.k, g=g)
        self.psi = Encoder(a.app_nf or a.nf,
                           a.stages if a.app_stages < 0 else a.app_stages,
                           g=g)
        self.gen = Generator(self.psi.out_channels + a.k, a.gen_nf, a.stages,
                             g=g)
        self.std = a.std
        self.app_pool = a.app_pool
        self.gen_ups = a.stages
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                if m is self.phi.head and a.kp_init == 'default':
                    continue
                nn.init.trunc_normal_(m.weight, std=0.01, a=-0.02, b=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def keypoints(self, x):
        return marginal(self.phi(x))

    def forward(self, src, tgt):
        coords, spread = self.keypoints(tgt)
        app = self.psi(src)
        if self.app_pool:
            app = F.adaptive_avg_pool2d(app, self.app_pool)
        h = tgt.shape[-2] // 2**self.gen_ups
        if app.shape[-1] != h:
            app = F.interpolate(app, size=(h, h), mode='bilinear',
                                align_corners=False)
        maps = gauss(coords, h, h, self.std)
        n, g = len(maps), self.groups
        # each member's appearance channels, then its own K maps
        x = torch.cat([app.reshape(n, g, -1, h, h),
                       maps.reshape(n, g, self.k, h, h)], 2)
        return self.gen(x.reshape(n, -1, h, h)), coords, spread


# ---------------------------------------------------------------- eval
def nme(kp_fit, lm_fit, kp_ev, lm_ev):
    x = kp_fit.reshape(len(kp_fit), -1).astype(np.float64)
    w, *_ = np.linalg.lstsq(x, lm_fit.reshape(len(lm_fit), -1), rcond=None)
    pred = (kp_ev.reshape(len(kp_ev), -1) @ w).reshape(lm_ev.shape)
    norm = np.linalg.norm(lm_ev[:, 0] - lm_ev[:, 1], axis=-1)
    err = np.linalg.norm(pred - lm_ev, axis=-1).mean(1) / norm
    mean = np.linalg.norm(lm_fit.mean(0)[None] - lm_ev, axis=-1).mean(1)
    return float(err.mean() * 100), float((mean / norm).mean() * 100)


def diagnostics(kp, bb):
    """Mean pairwise distance / bbox diagonal; fraction inside the bbox."""
    d = np.linalg.norm(kp[:, :, None] - kp[:, None], axis=-1)
    k = kp.shape[1]
    pair = d.sum((1, 2)) / (k * (k - 1))
    diag = np.hypot(bb[:, 2] - bb[:, 0], bb[:, 3] - bb[:, 1])
    inside = ((kp[..., 0] >= bb[:, None, 0]) & (kp[..., 0] <= bb[:, None, 2])
              & (kp[..., 1] >= bb[:, None, 1]) &
              (kp[..., 1] <= bb[:, None, 3]))
    return float((pair / diag).mean()), float(inside.mean())


def to_input(img_u8, dev):
    """BGR ``uint8`` ``[..., H, W, 3]`` (array or tensor) -> RGB in
    ``[-1, 1]``, ``[..., 3, H, W]``."""
    x = torch.as_tensor(img_u8).to(dev).movedim(-1, -3).float()
    return (x.flip(-3) - 127.5) / 127.5


@torch.no_grad()
def predict(model, imgs, dev, size):
    """Keypoints of every member, ``(G, N, K, 2)`` pixels."""
    model.eval()
    out = []
    g = model.groups
    for i in range(0, len(imgs), 500):
        c, _ = model.keypoints(to_input(imgs[i:i + 500], dev).repeat(
            1, g, 1, 1))
        c = c.reshape(len(c), g, model.k, 2).transpose(0, 1)
        out.append(((c + 1) / 2 * size).cpu().numpy())
    model.train()
    return np.concatenate(out, 1)


# ---------------------------------------------------------------- train
@torch.no_grad()
def clip_per_member(params, g, max_norm):
    """Per-tensor gradient clipping, each of the G members on its own.

    A grouped layer's tensors hold the members' slices one after another
    along dim 0, so each slice is clipped like ``clip_grad_norm_([p])``.
    """
    rows = [row for prm in params if prm.grad is not None
            for row in prm.grad.chunk(g)]
    norms = torch.stack(torch._foreach_norm(rows))
    scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    torch._foreach_mul_(rows, list(scale.unbind()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--render')
    p.add_argument('--data')
    p.add_argument('--family', default='objects')
    p.add_argument('--name', default='run')
    p.add_argument('--out')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--k', type=int, default=10)
    p.add_argument('--nf', type=int, default=16)
    p.add_argument('--app-nf', type=int, default=0)
    p.add_argument('--gen-nf', type=int, default=8)
    p.add_argument('--stages', type=int, default=1)
    p.add_argument('--std', type=float, default=0.1)
    p.add_argument('--app-stages', type=int, default=-1)
    p.add_argument('--app-pool', type=int, default=0)
    p.add_argument('--kp-init', default='release')
    p.add_argument('--min-gap', type=int, default=1)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--iters', type=int, default=6000)
    p.add_argument('--milestones', default='0.667,0.867')
    p.add_argument('--gamma', type=float, default=0.3)
    p.add_argument('--warmup', type=int, default=0)
    p.add_argument('--loss', default='l1')
    p.add_argument('--wd', type=float, default=1e-5)
    p.add_argument('--clip', type=float, default=1.0)
    p.add_argument('--eval-every', type=int, default=0)
    p.add_argument('--device', default='cuda')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--ensemble', type=int, default=1,
                   help='train G models (seeds seed..seed+G-1) at once '
                   'as one network of G channel groups')
    p.add_argument('--beta1', type=float, default=0.9)
    p.add_argument('--beta2', type=float, default=0.999)
    p.add_argument('--schedule', default='step', choices=['step', 'cosine'],
                   help='step: x gamma at each milestone; cosine: from lr '
                   'to lr * gamma**2')
    a = p.parse_args()
    if a.render:
        render_all(a.render)
        return
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    torch.backends.cudnn.benchmark = True
    g = a.ensemble
    # member m draws its own batches: seeds seed, seed + 1, ...
    rngs = [np.random.default_rng(a.seed + m) for m in range(g)]
    dev = torch.device(a.device if torch.cuda.is_available() else 'cpu')
    d = np.load(a.data)
    f = a.family
    train = d[f'{f}_train_img']
    size = train.shape[1]
    frames = 8
    n_clips = len(train) // frames
    train_dev = torch.from_numpy(train).to(dev)
    model = Model(a).to(dev)
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
    decay, no_decay = [], []
    for n_, prm in model.named_parameters():
        (decay if prm.dim() == 4 else no_decay).append(prm)
    opt = torch.optim.Adam([
        dict(params=decay, weight_decay=a.wd),
        dict(params=no_decay, weight_decay=0.0)
    ], lr=a.lr, betas=(a.beta1, a.beta2), fused=dev.type == 'cuda')
    ms = [int(float(m) * a.iters) for m in a.milestones.split(',') if m]

    def lr_at(it):
        if a.schedule == 'cosine':
            lr = a.lr * (a.gamma**2 + (1 - a.gamma**2) * 0.5 *
                         (1 + math.cos(math.pi * it / a.iters)))
        else:
            lr = a.lr * a.gamma**sum(it >= m for m in ms)
        if a.warmup and it < a.warmup:
            lr *= (it + 1) / a.warmup
        return lr

    # a random other frame at least min_gap away (either direction)
    gaps = np.array(
        [d_ for d_ in range(-frames + 1, frames) if abs(d_) >= a.min_gap])

    def pairs(rng):
        clip = rng.integers(0, n_clips, a.batch)
        fa = rng.integers(0, frames, a.batch)
        fb = fa + rng.choice(gaps, a.batch)
        bad = (fb < 0) | (fb >= frames)
        while bad.any():
            fa[bad] = rng.integers(0, frames, bad.sum())
            fb[bad] = fa[bad] + rng.choice(gaps, bad.sum())
            bad = (fb < 0) | (fb >= frames)
        return clip * frames + fa, clip * frames + fb

    def inp(idx):
        # (G, B) indices -> (B, G * 3, H, W), member m in channels 3m..3m+2
        x = to_input(train_dev[torch.from_numpy(idx).to(dev)], dev)
        x = x.transpose(0, 1).reshape(a.batch, 3 * g, size, size)
        if a.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    log = []
    t0 = time.time()
    for it in range(a.iters):
        for group in opt.param_groups:
            group['lr'] = lr_at(it)
        both = [pairs(rng) for rng in rngs]
        tgt = inp(np.stack([b[0] for b in both]))
        src = inp(np.stack([b[1] for b in both]))
        rec, coords, spread = model(src, tgt)
        diff = ((rec - tgt) * 127.5 / 255.0).reshape(a.batch, g, -1)
        err = diff.abs() if a.loss == 'l1' else diff**2
        loss_m = err.mean((0, 2))  # each member's loss
        opt.zero_grad(set_to_none=True)
        loss_m.sum().backward()
        if a.clip:
            clip_per_member(model.parameters(), g, a.clip)
        opt.step()
        last = it + 1 == a.iters
        if (a.eval_every and (it + 1) % a.eval_every == 0) or last:
            kf = predict(model, d[f'{f}_fit_img'], dev, size)
            ke = predict(model, d[f'{f}_eval_img'], dev, size)
            spread_m = spread.detach().reshape(a.batch, g, -1).mean((0, 2))
            for m in range(g):
                err_, mean = nme(kf[m], d[f'{f}_fit_lm'], ke[m],
                                 d[f'{f}_eval_lm'])
                pair, inside = diagnostics(ke[m], d[f'{f}_eval_bb'])
                rec_ = dict(iter=it + 1, member=m, seed=a.seed + m,
                            nme=err_, mean_shape=mean,
                            loss=float(loss_m[m].detach()),
                            spread=float(spread_m[m]),
                            pairwise=pair, in_bbox=inside,
                            time=time.time() - t0)
                log.append(rec_)
                print(a.name, json.dumps(rec_), flush=True)
    res = dict(name=a.name, args=vars(a), log=log,
               final=[r for r in log if r['iter'] == a.iters])
    if a.out:
        with open(a.out, 'w') as fh:
            json.dump(res, fh)


if __name__ == '__main__':
    main()
