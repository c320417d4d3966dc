"""Thin-plate-spline warps (docs/training.md, "Image pairs").

A warp ``T`` maps points of the *output* image to the points of the
*input* image they are sampled from (a backward map, as ``grid_sample``
uses). It is parametrised like the release: a TPS on a regular grid of
control points with kernel weights ``w_i`` and an affine part,
``T(p) = sum_i w_i U(|p - c_i|^2) + t + A p`` with ``U(r2) = r2 log r2``.
Coordinates are ``(x, y)`` in ``[-1, 1]`` with ``-1`` / ``+1`` at the
centres of the first / last pixels (``align_corners=True``).
"""
from typing import Optional, Tuple

import cv2
import numpy as np

_EPS = 1e-8


def control_grid(rows: int = 10, cols: int = 10) -> np.ndarray:
    """Regular ``rows x cols`` grid of control points, ``[rows * cols, 2]``."""
    if rows < 2 or cols < 2:
        raise ValueError(f'the control grid needs at least 2x2 points, got '
                         f'{rows}x{cols}')
    xs, ys = np.meshgrid(np.linspace(-1, 1, cols), np.linspace(-1, 1, rows))
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def sample_tps_params(rng: np.random.RandomState,
                      num_controls: int,
                      rotation_sd: float = 0.0,
                      scale_sd: float = 0.0,
                      translation_sd: float = 0.1,
                      jitter_sd: Tuple[float, float] = (0.001, 0.005)
                      ) -> np.ndarray:
    """Random TPS parameters as in the release's sampler.

    Kernel weights: ``jitter_sd[0] * n1 + jitter_sd[1] * m * n2`` with
    standard normal ``n1, n2`` and a Bernoulli(0.5) mask ``m`` per
    coordinate. Affine part: rotation ``N(0, rotation_sd)`` degrees, scale
    ``1 + N(0, scale_sd)``, translation ``N(0, translation_sd)`` per axis.

    Args:
        rng (np.random.RandomState): Random state (``np.random`` works).
        num_controls (int): Number of control points M.
        rotation_sd (float): Degrees. Defaults to ``0``.
        scale_sd (float): Defaults to ``0``.
        translation_sd (float): In ``[-1, 1]`` units. Defaults to ``0.1``.
        jitter_sd (tuple[float, float]): Defaults to ``(0.001, 0.005)``.

    Returns:
        np.ndarray: ``[M + 3, 2]``: M kernel weights, the translation, and
        the rows of the linear part for ``x`` and ``y``.
    """
    mask = rng.rand(num_controls, 2) > 0.5
    weights = (jitter_sd[0] * rng.randn(num_controls, 2) +
               jitter_sd[1] * mask * rng.randn(num_controls, 2))
    angle = np.deg2rad(rng.randn() * rotation_sd)
    scale = 1.0 + rng.randn() * scale_sd
    translation = translation_sd * rng.randn(2)
    cos, sin = scale * np.cos(angle), scale * np.sin(angle)
    affine = np.array([translation, [cos, -sin], [sin, cos]])
    return np.concatenate([weights, affine], axis=0)


class TPSWarpCache:
    """The release's cache of random warps (``imm/utils/tps_sampler.py``).

    Each draw picks one of ``size`` entries uniformly at random; an empty
    entry is filled with a fresh warp, a filled one is renewed with
    probability ``renew_prob`` and otherwise returned again. So warps
    repeat: with the release's 1,000 entries and probability 0.01, a warp
    is drawn about 100 times on average before it is replaced. All draws
    come from the random state given to :meth:`draw` (``np.random``, seeded
    per data-loading worker), so the cache is deterministic for a seed and
    a worker, and a resumed run that replays the data stream rebuilds it.

    Args:
        size (int): Number of entries. Defaults to ``1000``.
        renew_prob (float): Probability of replacing a filled entry when it
            is drawn. Defaults to ``0.01``.
    """

    def __init__(self, size: int = 1000, renew_prob: float = 0.01) -> None:
        if size < 1:
            raise ValueError(f'warp_cache size must be >= 1, got {size}')
        if not 0.0 <= renew_prob <= 1.0:
            raise ValueError(
                f'warp_cache renew_prob must be in [0, 1], got {renew_prob}')
        self.size = int(size)
        self.renew_prob = float(renew_prob)
        self.entries: list = [None] * self.size

    def draw(self, rng, sample):
        """An entry's warp, filled or renewed by ``sample()`` as above.

        Args:
            rng: Random state (``np.random`` or a ``RandomState``).
            sample (callable): Returns a fresh warp.
        """
        index = int(rng.randint(self.size))
        # as the release: the renewal is drawn only for a filled entry
        if self.entries[index] is None or rng.rand() < self.renew_prob:
            self.entries[index] = sample()
        return self.entries[index]

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'renew_prob={self.renew_prob})')


def build_warp_cache(cfg: Optional[dict]) -> Optional[TPSWarpCache]:
    """A :class:`TPSWarpCache` from ``dict(size=..., renew_prob=...)``, or
    ``None`` for ``None`` (a fresh warp at every draw)."""
    if cfg is None:
        return None
    unknown = set(cfg) - {'size', 'renew_prob'}
    if unknown:
        raise ValueError(f'warp_cache takes size and renew_prob, got '
                         f'{sorted(unknown)}')
    return TPSWarpCache(**cfg)


def identity_params(num_controls: int) -> np.ndarray:
    """Parameters of the identity warp, ``[M + 3, 2]``."""
    params = np.zeros((num_controls + 3, 2))
    params[num_controls + 1] = [1.0, 0.0]
    params[num_controls + 2] = [0.0, 1.0]
    return params


def _kernel(points: np.ndarray, controls: np.ndarray) -> np.ndarray:
    """``[N, M]`` values ``U(|p - c|^2)``."""
    d2 = (np.einsum('ij,ij->i', points, points)[:, None] +
          np.einsum('ij,ij->i', controls, controls)[None] -
          2.0 * points @ controls.T)
    d2 = np.maximum(d2, _EPS)
    return d2 * np.log(d2)


def tps_basis(points: np.ndarray, controls: np.ndarray) -> np.ndarray:
    """``[N, M + 3]`` basis ``[U(|p - c_i|^2), 1, x, y]`` of the points.

    ``T(points) = tps_basis(points, controls) @ params``; for a fixed set of
    points (a pixel grid) it can be computed once and reused.
    """
    points = np.asarray(points, np.float64)
    return np.concatenate(
        [_kernel(points, controls),
         np.ones((len(points), 1)), points], axis=1)


def tps_map(points: np.ndarray, params: np.ndarray,
            controls: np.ndarray) -> np.ndarray:
    """Apply ``T`` to ``[N, 2]`` points (``(x, y)`` in ``[-1, 1]``)."""
    _check_params(params, len(controls))
    return tps_basis(points, controls) @ params


def tps_jacobian(points: np.ndarray, params: np.ndarray,
                 controls: np.ndarray) -> np.ndarray:
    """``[N, 2, 2]`` Jacobians ``d T_i / d p_j`` of ``T`` at the points."""
    m = len(controls)
    diff = points[:, None, :] - controls[None, :, :]  # N, M, 2
    d2 = np.maximum((diff**2).sum(-1), _EPS)
    dkernel = 2.0 * (np.log(d2) + 1.0)[..., None] * diff  # N, M, 2 (d/dp_j)
    jac = np.einsum('nmj,mi->nij', dkernel, params[:m])
    return jac + params[m + 1:].T[None]


def tps_inverse_map(points: np.ndarray,
                    params: np.ndarray,
                    controls: np.ndarray,
                    init: Optional[np.ndarray] = None,
                    max_iters: int = 30,
                    tol: float = 1e-6) -> Tuple[np.ndarray, np.ndarray]:
    """Solve ``T(p) = q`` for each ``q`` in ``points`` by Newton's method.

    This is how a point of the input image moves under the warp: it lands
    at ``T^-1(q)`` in the output image. The release's warps are not
    guaranteed to be one-to-one (their kernel weights are unconstrained),
    so a point may have no pre-image in the region of interest; such points
    are reported as not converged.

    Args:
        points (np.ndarray): ``[N, 2]`` points ``q`` of the input image.
        params (np.ndarray): ``[M + 3, 2]`` TPS parameters.
        controls (np.ndarray): ``[M, 2]`` control points.
        init (np.ndarray, optional): ``[N, 2]`` starting points; defaults
            to ``q`` itself. :func:`nearest_preimage` gives good ones.
        max_iters (int): Newton iterations at most. Defaults to ``30``.
        tol (float): Tolerance on ``|T(p) - q|`` in ``[-1, 1]`` units.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``[N, 2]`` points ``p`` and an
        ``[N]`` bool array, ``True`` where ``|T(p) - q| < tol``.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    estimate = (points if init is None else np.asarray(
        init, np.float64).reshape(-1, 2)).copy()
    for _ in range(max_iters):
        residual = tps_map(estimate, params, controls) - points
        if np.abs(residual).max(initial=0.0) < tol:
            break
        jac = tps_jacobian(estimate, params, controls)
        singular = np.abs(np.linalg.det(jac)) < 1e-12
        jac[singular] = np.eye(2)
        step = np.linalg.solve(jac, residual[..., None])[..., 0]
        # damp steps longer than a tenth of the image
        norm = np.linalg.norm(step, axis=1, keepdims=True)
        estimate = estimate - step * np.minimum(1.0, 0.2 / np.maximum(
            norm, 1e-12))
    residual = np.abs(tps_map(estimate, params, controls) - points).max(
        axis=1, initial=0.0)
    return estimate, residual < tol


def nearest_preimage(points: np.ndarray, grid: np.ndarray,
                     mapped_grid: np.ndarray) -> np.ndarray:
    """For each ``q``, the grid point whose image ``T(g)`` is nearest to it.

    Args:
        points (np.ndarray): ``[N, 2]`` points ``q``.
        grid (np.ndarray): ``[G, 2]`` points ``g`` (e.g. pixel centres).
        mapped_grid (np.ndarray): ``[G, 2]`` their images ``T(g)``.

    Returns:
        np.ndarray: ``[N, 2]`` grid points, starting points for
        :func:`tps_inverse_map`.
    """
    points = np.asarray(points, np.float64).reshape(-1, 2)
    d2 = ((mapped_grid[None] - points[:, None])**2).sum(-1)
    return grid[d2.argmin(axis=1)]


def pixels_to_unit(points: np.ndarray, size_hw: Tuple[int, int]) -> np.ndarray:
    """``(x, y)`` pixels (centres at integers) to ``[-1, 1]`` units."""
    h, w = size_hw
    scale = np.array([max(w - 1, 1), max(h - 1, 1)], dtype=np.float64)
    return np.asarray(points, np.float64) / scale * 2.0 - 1.0


def unit_to_pixels(points: np.ndarray, size_hw: Tuple[int, int]) -> np.ndarray:
    """Inverse of :func:`pixels_to_unit`."""
    h, w = size_hw
    scale = np.array([max(w - 1, 1), max(h - 1, 1)], dtype=np.float64)
    return (np.asarray(points, np.float64) + 1.0) / 2.0 * scale


def pixel_grid(size_hw: Tuple[int, int]) -> np.ndarray:
    """``[H * W, 2]`` unit coordinates of every pixel centre, row-major."""
    h, w = size_hw
    xs, ys = np.meshgrid(np.linspace(-1, 1, w), np.linspace(-1, 1, h))
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def interpolation_matrix(n_out: int, n_in: int) -> np.ndarray:
    """``[n_out, n_in]`` linear interpolation between two grids that both
    span ``[-1, 1]`` with their end points (``align_corners=True``)."""
    if n_in == 1:
        return np.ones((n_out, 1))
    pos = np.linspace(0, n_in - 1, n_out)
    lo = np.minimum(np.floor(pos).astype(int), n_in - 2)
    frac = pos - lo
    matrix = np.zeros((n_out, n_in))
    matrix[np.arange(n_out), lo] = 1.0 - frac
    matrix[np.arange(n_out), lo + 1] = frac
    return matrix


def remap(image: np.ndarray,
          sample_points: np.ndarray,
          border_value: float = 0.0,
          interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Sample ``image`` at unit coordinates, one per output pixel.

    Args:
        image (np.ndarray): ``[H, W]`` or ``[H, W, C]``.
        sample_points (np.ndarray): ``[H * W, 2]`` points of ``image``
            (unit coordinates) for the output pixels, row-major.
        border_value (float): Value outside the image. Defaults to ``0``.
        interpolation (int): cv2 interpolation. Defaults to bilinear.

    Returns:
        np.ndarray: The warped image, same shape and dtype as ``image``.
    """
    h, w = image.shape[:2]
    pixels = unit_to_pixels(sample_points, (h, w)).astype(np.float32)
    map_x = pixels[:, 0].reshape(h, w)
    map_y = pixels[:, 1].reshape(h, w)
    channels = image.shape[2] if image.ndim == 3 else 1
    return cv2.remap(
        image,
        map_x,
        map_y,
        interpolation,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(border_value, ) * min(channels, 4))


def smooth_border_mask(size_hw: Tuple[int, int],
                       margin: int = 10,
                       ramp: int = 20,
                       softness: float = 0.4) -> np.ndarray:
    """The release's loss mask: zeros at the border, then a tanh ramp.

    Each axis: ``margin`` zeros, ``ramp`` values of ``0.5 + 0.5 tanh(x /
    softness)`` for ``x`` in ``linspace(-1, 1)``, ones, and the mirror
    image at the other end. The 2-D mask is the outer product.

    Args:
        size_hw (tuple[int, int]): ``(H, W)``.
        margin (int): Zero pixels at each border. Defaults to ``10``.
        ramp (int): Pixels of the ramp. Defaults to ``20``.
        softness (float): Steepness of the ramp. Defaults to ``0.4``.

    Returns:
        np.ndarray: ``[H, W]`` float32 mask in ``[0, 1]``.
    """
    if margin < 0 or ramp < 0:
        raise ValueError(f'margin and ramp must be >= 0, got {margin}, {ramp}')

    def strip(n: int) -> np.ndarray:
        inner = n - 2 * (margin + ramp)
        if inner < 0:
            raise ValueError(f'an image side of {n} px is too small for a '
                             f'border mask with margin {margin} and ramp '
                             f'{ramp} on both sides')
        up = 0.5 + 0.5 * np.tanh(np.linspace(-1, 1, ramp) / softness)
        return np.concatenate([
            np.zeros(margin), up,
            np.ones(inner), up[::-1],
            np.zeros(margin)
        ])

    h, w = size_hw
    return (strip(h)[:, None] * strip(w)[None, :]).astype(np.float32)


def _check_params(params: np.ndarray, num_controls: int) -> None:
    if params.shape != (num_controls + 3, 2):
        raise ValueError(f'TPS parameters must be [{num_controls + 3}, 2] '
                         f'for {num_controls} control points, got '
                         f'{params.shape}')
