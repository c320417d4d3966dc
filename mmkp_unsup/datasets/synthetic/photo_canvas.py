"""What the families drawn over photographs share (docs/synthetic_data.md).

Backgrounds cropped from real photographs, and a supersampled canvas on
which shapes are painted as tapered capsules, then area-averaged and
composited over the background. The creatures
(:mod:`.object_renderer`) and the quadrupeds (:mod:`.quadruped_renderer`)
draw with these pieces.

Coordinates: ``(x, y)`` pixels with pixel centres at integer coordinates
(mmpose's convention); angles are degrees counter-clockwise on screen
(``y`` down).
"""
import importlib.util
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

# Drawing happens at this many times the output size, then is area-averaged.
SUPERSAMPLE = 4

# ----------------------------------------------------------------------
# Backgrounds
# ----------------------------------------------------------------------
_PHOTO_CACHE: dict = {}

# (package, path inside it): real photographs that install offline
DEFAULT_PHOTOS = (
    ('sklearn', 'datasets/images/china.jpg'),
    ('sklearn', 'datasets/images/flower.jpg'),
    ('matplotlib', 'mpl-data/sample_data/grace_hopper.jpg'),
)


def default_photo_paths() -> List[str]:
    """The default backgrounds: scikit-learn's sample images
    (``china.jpg``, ``flower.jpg``) and matplotlib's ``grace_hopper.jpg``.

    The set is fixed (not "whatever is installed") so that a seed gives the
    same images everywhere.

    Raises:
        RuntimeError: If a package or a photograph is missing.
    """
    paths = []
    for package, rel in DEFAULT_PHOTOS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(
                f'the synthetic families draw backgrounds from {package}\'s '
                f'sample images: install {package} (pip install '
                f'{"scikit-learn" if package == "sklearn" else package}) or '
                'pass background_paths')
        path = osp.join(list(spec.submodule_search_locations)[0], rel)
        if not osp.isfile(path):
            raise RuntimeError(f'background photograph {path} is missing '
                               f'from the installed {package}')
        paths.append(path)
    return paths


def load_photos(paths: Optional[Sequence[str]] = None) -> List[np.ndarray]:
    """Read background photographs (BGR ``uint8``), cached per process.

    Args:
        paths (Sequence[str], optional): Image files. Defaults to
            :func:`default_photo_paths`.

    Returns:
        list[np.ndarray]: The photographs.
    """
    paths = tuple(paths) if paths else tuple(default_photo_paths())
    if paths not in _PHOTO_CACHE:
        photos = []
        for path in paths:
            image = cv2.imread(path, cv2.IMREAD_COLOR)
            if image is None:
                raise FileNotFoundError(
                    f'cannot read background photograph {path!r}')
            photos.append(image)
        _PHOTO_CACHE[paths] = photos
    return _PHOTO_CACHE[paths]


def sample_crop(rng: np.random.Generator) -> Tuple[float, float, float, float]:
    """A random background crop: ``x0, y0`` (fractions of the free room),
    ``side`` (25-70 % of the photograph's short side) and ``flip`` (mirrored
    when ``>= 0.5``)."""
    return (rng.uniform(), rng.uniform(), rng.uniform(0.25, 0.7),
            rng.uniform())


def render_background(identity, photos: Sequence[np.ndarray],
                      size: int) -> np.ndarray:
    """The clip's background: a crop of a photograph, BGR ``float32``.

    Args:
        identity: Anything with ``photo`` (index into ``photos``), ``crop``
            (see :func:`sample_crop`) and ``brightness`` (a gain), such as
            an ``ObjectIdentity`` or a ``QuadrupedIdentity``.
        photos (Sequence[np.ndarray]): The photographs.
        size (int): Output side.

    Returns:
        np.ndarray: ``[size, size, 3]`` in ``[0, 255]``.
    """
    photo = photos[identity.photo % len(photos)]
    h, w = photo.shape[:2]
    x0, y0, side, flip = identity.crop
    side_px = max(8, int(round(side * min(h, w))))
    x = int(round(x0 * (w - side_px)))
    y = int(round(y0 * (h - side_px)))
    crop = photo[y:y + side_px, x:x + side_px]
    if flip >= 0.5:
        crop = crop[:, ::-1]
    crop = cv2.resize(
        np.ascontiguousarray(crop), (size, size),
        interpolation=cv2.INTER_AREA)
    return np.clip(crop.astype(np.float32) * identity.brightness, 0, 255)


# ----------------------------------------------------------------------
# Colours and geometry
# ----------------------------------------------------------------------
def contrasting_colour(rng: np.random.Generator, *avoid: np.ndarray,
                       min_contrast: float = 120.0) -> np.ndarray:
    """A random BGR colour at least ``min_contrast`` (L1) from each of
    ``avoid``."""
    for _ in range(1000):
        colour = rng.uniform(0, 255, size=3)
        if all(np.abs(colour - a).sum() >= min_contrast for a in avoid):
            return colour
    raise RuntimeError('could not draw a contrasting colour')


def unit(angle_deg: float) -> np.ndarray:
    """Unit vector at ``angle_deg`` counter-clockwise on screen (y down)."""
    a = np.deg2rad(angle_deg)
    return np.array([np.cos(a), -np.sin(a)])


def capsule(px: np.ndarray, py: np.ndarray, a: np.ndarray, b: np.ndarray,
            ra: float, rb: float) -> Tuple[np.ndarray, ...]:
    """Inside test of a tapered capsule from ``a`` (radius ``ra``) to ``b``.

    Args:
        px, py (np.ndarray): Canvas pixel centres (any shape), pixels.
        a, b (np.ndarray): ``[2]`` ends of the axis, ``(x, y)`` pixels.
        ra, rb (float): Radii at ``a`` and ``b``, pixels.

    Returns:
        tuple: ``inside`` mask, ``t`` (0 at ``a``, 1 at ``b``) and ``v``
        (signed distance across the axis over the local radius).
    """
    d = b - a
    length2 = max(float(d @ d), 1e-9)
    t = np.clip(((px - a[0]) * d[0] + (py - a[1]) * d[1]) / length2, 0, 1)
    cx = a[0] + t * d[0]
    cy = a[1] + t * d[1]
    radius = ra + t * (rb - ra)
    dist2 = (px - cx)**2 + (py - cy)**2
    inside = dist2 <= radius**2
    cross = ((px - a[0]) * d[1] - (py - a[1]) * d[0]) / np.sqrt(length2)
    return inside, t, cross / np.maximum(radius, 1e-6)


# ----------------------------------------------------------------------
# The supersampled canvas
# ----------------------------------------------------------------------
def canvas_grid(size: int,
                ss: int = SUPERSAMPLE) -> Tuple[np.ndarray, np.ndarray]:
    """The canvas pixel centres in output pixel coordinates.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``px``, ``py`` of shape
        ``[size * ss, size * ss]``.
    """
    grid = (np.arange(size * ss) + 0.5) / ss - 0.5
    return np.meshgrid(grid, grid)


def capsule_window(a: np.ndarray, b: np.ndarray, radius: float, size: int,
                   ss: int = SUPERSAMPLE) -> Tuple[slice, slice]:
    """The rows and columns of the canvas (:func:`canvas_grid`) that a
    capsule from ``a`` to ``b`` of radius at most ``radius`` can cover: test
    only those (the rest is outside, so the drawing is the same, faster).

    Returns:
        tuple[slice, slice]: Rows (``y``) and columns (``x``).
    """
    lo = np.minimum(a, b) - radius
    hi = np.maximum(a, b) + radius
    # canvas index i has its centre at (i + 0.5) / ss - 0.5
    first = np.clip(np.floor((lo + 0.5) * ss - 0.5), 0, size * ss)
    last = np.clip(np.ceil((hi + 0.5) * ss - 0.5) + 1, 0, size * ss)
    return (slice(int(first[1]), int(last[1])),
            slice(int(first[0]), int(last[0])))


def composite(background: np.ndarray, colour: np.ndarray, alpha: np.ndarray,
              size: int, ss: int = SUPERSAMPLE) -> np.ndarray:
    """Area-average the supersampled layers and lay them over a background.

    Args:
        background (np.ndarray): BGR ``[size, size, 3]`` (any dtype).
        colour (np.ndarray): Painted colour ``[size * ss, size * ss, 3]``,
            zero where nothing is painted.
        alpha (np.ndarray): Coverage ``[size * ss, size * ss]`` in ``[0, 1]``.

    Returns:
        np.ndarray: BGR ``uint8`` ``[size, size, 3]``.
    """

    def down(x):
        shape = (size, ss, size, ss) + x.shape[2:]
        return x.reshape(shape).mean(axis=(1, 3))

    a = down(alpha)[..., None]
    image = np.asarray(background, np.float32) * (1 - a) + down(colour)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)
