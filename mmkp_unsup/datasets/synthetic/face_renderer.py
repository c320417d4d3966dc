"""Procedural cartoon faces with known landmarks (the built-in dataset).

A face has an *identity* (colours and shape, shared by every frame of a
clip) and a *pose* (rotation, scale, translation: what changes between
frames). :func:`render_face` draws one face and returns its five landmarks,
in the MAFL order: left eye, right eye, nose tip, left mouth corner, right
mouth corner ("left" is the image's left in the upright pose).

Like real faces, every face has identity-independent structure at its
landmarks (dark pupils at the eye centres, a dark lip gap between the mouth
corners) and a hairline that shows which way is up; its colours are random.
"""
from dataclasses import asdict, dataclass
from typing import List, Tuple

import cv2
import numpy as np

LANDMARK_NAMES = ('left_eye', 'right_eye', 'nose', 'left_mouth',
                  'right_mouth')
# Drawing happens at this many times the output size, then is area-averaged:
# edges are anti-aliased and landmarks stay sub-pixel accurate.
SUPERSAMPLE = 4
_SHIFT = 4  # fractional bits for cv2 drawing
_MIN_CONTRAST = 90.0  # min L1 distance between neighbouring colours (0..765)
_MOUTH_T = np.linspace(-1.0, 1.0, 15)
# Pupils and the lip gap are dark in every face (each channel below this):
# structure at the landmarks that does not depend on the identity's colours.
_MAX_DARK = 50.0
_LIP_GAP = 0.07  # thickness of the lip gap, in face half-heights
# Default pose ranges (see :func:`sample_pose`), shared by every sampler.
MAX_ANGLE = 30.0
SCALE_RANGE = (0.36, 0.5)
MAX_SHIFT = 0.14


@dataclass
class FaceIdentity:
    """What stays the same across the frames of one clip.

    Lengths are in units of the face's half-height; colours are BGR.
    """
    background: Tuple[float, float, float]
    skin: Tuple[float, float, float]
    eye: Tuple[float, float, float]
    nose: Tuple[float, float, float]
    mouth: Tuple[float, float, float]
    pupil: Tuple[float, float, float]  # dark, like the lip gap
    hair: Tuple[float, float, float]
    aspect: float  # face half-width / half-height
    eye_x: float  # horizontal offset of each eye from the centre line
    eye_y: float  # eye height (negative: above the centre)
    eye_size: float
    nose_y: float  # nose tip height
    nose_width: float
    mouth_y: float
    mouth_half_width: float
    mouth_height: float
    pupil_size: float  # pupil radius as a fraction of eye_size
    hair_y: float  # height of the hairline on the centre line
    hair_curve: float  # the hairline is y = hair_y + hair_curve * x**2


@dataclass
class FacePose:
    """What changes between frames: a similarity transform of the face."""
    angle: float  # degrees, counter-clockwise in the image
    scale: float  # face half-height as a fraction of the image size
    center_x: float  # face centre, as a fraction of the image width
    center_y: float


def _colour(rng: np.random.Generator, *avoid: np.ndarray) -> np.ndarray:
    """A random BGR colour at least ``_MIN_CONTRAST`` away from ``avoid``."""
    for _ in range(1000):
        colour = rng.uniform(0, 255, size=3)
        if all(np.abs(colour - a).sum() >= _MIN_CONTRAST for a in avoid):
            return colour
    raise RuntimeError('could not draw a contrasting colour')


def sample_identity(rng: np.random.Generator) -> FaceIdentity:
    """Draw a random face identity."""
    background = _colour(rng)
    skin = _colour(rng, background)
    pupil = rng.uniform(0, _MAX_DARK, size=3)
    eye = _colour(rng, skin, pupil)
    nose = _colour(rng, skin)
    mouth = _colour(rng, skin, pupil)
    hair = _colour(rng, skin, background)
    return FaceIdentity(
        background=tuple(background),
        skin=tuple(skin),
        eye=tuple(eye),
        nose=tuple(nose),
        mouth=tuple(mouth),
        pupil=tuple(pupil),
        hair=tuple(hair),
        aspect=rng.uniform(0.75, 0.95),
        eye_x=rng.uniform(0.32, 0.40),
        eye_y=rng.uniform(-0.34, -0.26),
        eye_size=rng.uniform(0.15, 0.20),
        nose_y=rng.uniform(0.11, 0.19),
        nose_width=rng.uniform(0.12, 0.18),
        mouth_y=rng.uniform(0.47, 0.55),
        mouth_half_width=rng.uniform(0.27, 0.35),
        mouth_height=rng.uniform(0.10, 0.16),
        pupil_size=rng.uniform(0.4, 0.55),
        hair_y=rng.uniform(-0.75, -0.62),
        hair_curve=rng.uniform(0.2, 0.5))


def sample_pose(rng: np.random.Generator,
                max_angle: float = MAX_ANGLE,
                scale_range: Tuple[float, float] = SCALE_RANGE,
                max_shift: float = MAX_SHIFT) -> FacePose:
    """Draw a random pose.

    Args:
        rng (np.random.Generator): Random generator.
        max_angle (float): Rotation drawn from ``[-max_angle, max_angle]``
            degrees.
        scale_range (tuple[float, float]): Range of the face half-height as
            a fraction of the image size.
        max_shift (float): Centre offset from the image centre, as a
            fraction of the image size, drawn from ``[-max_shift,
            max_shift]`` on each axis.

    Returns:
        FacePose: The pose.
    """
    return FacePose(
        angle=rng.uniform(-max_angle, max_angle),
        scale=rng.uniform(*scale_range),
        center_x=0.5 + rng.uniform(-max_shift, max_shift),
        center_y=0.5 + rng.uniform(-max_shift, max_shift))


def sample_motion(rng: np.random.Generator,
                  num_frames: int,
                  max_angle: float = MAX_ANGLE,
                  scale_range: Tuple[float, float] = SCALE_RANGE,
                  max_shift: float = MAX_SHIFT,
                  angle_step: float = 4.0,
                  scale_step: float = 0.02,
                  shift_step: float = 0.02) -> List[FacePose]:
    """Poses of a face moving steadily, like the frames of a short video.

    The first pose is drawn as in :func:`sample_pose`; a constant velocity
    (rotation, relative scaling and translation per frame) is drawn from
    ``[-step, step]``, and the pose is kept inside the ranges of
    :func:`sample_pose` (the motion stops at their limits). Frames close in
    time are close in pose.

    Args:
        rng (np.random.Generator): Random generator.
        num_frames (int): Number of poses.
        max_angle, scale_range, max_shift: See :func:`sample_pose`.
        angle_step (float): Largest rotation per frame, degrees.
        scale_step (float): Largest relative scale change per frame.
        shift_step (float): Largest translation per frame and axis, as a
            fraction of the image size.

    Returns:
        list[FacePose]: ``num_frames`` poses.
    """
    start = sample_pose(rng, max_angle, scale_range, max_shift)
    velocity = (rng.uniform(-angle_step, angle_step),
                rng.uniform(-scale_step, scale_step),
                rng.uniform(-shift_step, shift_step),
                rng.uniform(-shift_step, shift_step))
    poses = []
    for frame in range(num_frames):
        poses.append(
            FacePose(
                angle=float(
                    np.clip(start.angle + frame * velocity[0], -max_angle,
                            max_angle)),
                scale=float(
                    np.clip(start.scale * (1 + velocity[1])**frame,
                            *scale_range)),
                center_x=float(
                    np.clip(start.center_x + frame * velocity[2],
                            0.5 - max_shift, 0.5 + max_shift)),
                center_y=float(
                    np.clip(start.center_y + frame * velocity[3],
                            0.5 - max_shift, 0.5 + max_shift))))
    return poses


def sample_jittered_poses(rng: np.random.Generator,
                          num_frames: int,
                          max_angle: float = MAX_ANGLE,
                          scale_range: Tuple[float, float] = SCALE_RANGE,
                          max_shift: float = MAX_SHIFT,
                          angle_jitter: float = 10.0,
                          scale_jitter: float = 0.03,
                          shift_jitter: float = 0.05) -> List[FacePose]:
    """Poses scattered around one pose, like the frames of a shaky video.

    A clip's central pose is drawn as in :func:`sample_pose` from the
    ranges shrunk by the jitter; each frame adds an independent uniform
    jitter to each parameter, so every frame stays inside the ranges of
    :func:`sample_pose` and two frames differ by up to twice the jitter.

    Args:
        rng (np.random.Generator): Random generator.
        num_frames (int): Number of poses.
        max_angle, scale_range, max_shift: See :func:`sample_pose`.
        angle_jitter (float): Largest rotation from the central pose,
            degrees.
        scale_jitter (float): Largest change of the face half-height, as a
            fraction of the image size.
        shift_jitter (float): Largest translation from the central pose per
            axis, as a fraction of the image size.

    Returns:
        list[FacePose]: ``num_frames`` poses.
    """
    low, high = scale_range
    if (angle_jitter > max_angle or shift_jitter > max_shift
            or 2 * scale_jitter > high - low):
        raise ValueError(
            'the jitter must fit in the pose ranges: got angle, scale and '
            f'shift jitter {angle_jitter}, {scale_jitter}, {shift_jitter} '
            f'for ranges {max_angle}, {scale_range}, {max_shift}')
    centre = sample_pose(rng, max_angle - angle_jitter,
                         (low + scale_jitter, high - scale_jitter),
                         max_shift - shift_jitter)
    poses = []
    for _ in range(num_frames):
        a, s, x, y = rng.uniform(-1, 1, size=4)
        poses.append(
            FacePose(
                angle=centre.angle + a * angle_jitter,
                scale=centre.scale + s * scale_jitter,
                center_x=centre.center_x + x * shift_jitter,
                center_y=centre.center_y + y * shift_jitter))
    return poses


def canonical_landmarks(identity: FaceIdentity) -> np.ndarray:
    """The five landmarks in face units (``(x, y)``, y down), ``[5, 2]``."""
    mouth_corner_y = identity.mouth_y
    return np.array([
        [-identity.eye_x, identity.eye_y],
        [identity.eye_x, identity.eye_y],
        [0.0, identity.nose_y],
        [-identity.mouth_half_width, mouth_corner_y],
        [identity.mouth_half_width, mouth_corner_y],
    ])


def _face_to_image_matrix(pose: FacePose, size: int) -> np.ndarray:
    """``[2, 3]`` affine map from face units to ``(x, y)`` image pixels."""
    theta = np.deg2rad(pose.angle)
    scale = pose.scale * size
    # counter-clockwise on screen (y points down)
    linear = scale * np.array([[np.cos(theta), np.sin(theta)],
                               [-np.sin(theta), np.cos(theta)]])
    offset = np.array([pose.center_x * size, pose.center_y * size]) - 0.5
    return np.concatenate([linear, offset[:, None]], axis=1)


def face_to_image(points: np.ndarray, pose: FacePose,
                  size: int) -> np.ndarray:
    """Map ``[N, 2]`` face-unit points to ``(x, y)`` image pixels.

    Pixel centres are at integer coordinates (mmpose's convention).
    """
    matrix = _face_to_image_matrix(pose, size)
    return np.asarray(points) @ matrix[:, :2].T + matrix[:, 2]


def render_face(identity: FaceIdentity, pose: FacePose,
                size: int) -> Tuple[np.ndarray, np.ndarray]:
    """Draw a face.

    Args:
        identity (FaceIdentity): Colours and shape.
        pose (FacePose): Rotation, scale, position.
        size (int): Output image size (square).

    Returns:
        tuple[np.ndarray, np.ndarray]: The BGR ``uint8`` image
        ``[size, size, 3]`` and the landmarks ``[5, 2]`` as ``(x, y)``
        pixels.
    """
    big = size * SUPERSAMPLE
    canvas = np.empty((big, big, 3), np.uint8)
    canvas[:] = np.round(identity.background).astype(np.uint8)
    # face units -> fixed-point pixels of the supersampled canvas, whose
    # pixel centres are at k + 0.5 in output pixels
    matrix = _face_to_image_matrix(pose, size)
    matrix[:, 2] += 0.5
    matrix *= SUPERSAMPLE * (1 << _SHIFT)
    unit_length = pose.scale * size * SUPERSAMPLE * (1 << _SHIFT)

    def to_canvas(points) -> np.ndarray:
        points = np.asarray(points, np.float64).reshape(-1, 2)
        return np.round(points @ matrix[:, :2].T + matrix[:, 2]).astype(
            np.int32)

    def ellipse(center, axes, colour):
        cx, cy = to_canvas(center)[0]
        cv2.ellipse(canvas, (int(cx), int(cy)),
                    (int(round(axes[0] * unit_length)),
                     int(round(axes[1] * unit_length))), -pose.angle, 0, 360,
                    _bgr(colour), -1, cv2.LINE_AA, _SHIFT)

    def polygon(points, colour):
        cv2.fillPoly(canvas, [to_canvas(points)], _bgr(colour), cv2.LINE_AA,
                     _SHIFT)

    ellipse((0.0, 0.0), (identity.aspect, 1.0), identity.skin)
    _draw_hair(canvas, identity, matrix / (1 << _SHIFT))
    for side in (-1, 1):
        ellipse((side * identity.eye_x, identity.eye_y),
                (identity.eye_size * 1.3, identity.eye_size), identity.eye)
    nose_top = identity.eye_y + identity.eye_size
    polygon([(0.0, nose_top), (identity.nose_width, identity.nose_y),
             (0.0, identity.nose_y), (-identity.nose_width, identity.nose_y)],
            identity.nose)
    # the mouth: a lens whose tips are the mouth corners
    w, h = identity.mouth_half_width, identity.mouth_height
    y = identity.mouth_y
    upper = np.stack([w * _MOUTH_T, y - 0.3 * h * (1 - _MOUTH_T**2)], axis=1)
    lower = np.stack([w * _MOUTH_T[::-1], y + h * (1 - _MOUTH_T[::-1]**2)],
                     axis=1)
    polygon(np.concatenate([upper, lower]), identity.mouth)
    # the dark gap between the lips, from corner to corner
    gap = np.stack([w * _MOUTH_T, y + 0.5 * _LIP_GAP * (1 - _MOUTH_T**2)],
                   axis=1)
    gap_lower = np.stack(
        [w * _MOUTH_T[::-1], y - 0.5 * _LIP_GAP * (1 - _MOUTH_T[::-1]**2)],
        axis=1)
    polygon(np.concatenate([gap, gap_lower]), identity.pupil)
    for side in (-1, 1):
        pupil = identity.pupil_size * identity.eye_size
        ellipse((side * identity.eye_x, identity.eye_y), (pupil, pupil),
                identity.pupil)

    image = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)
    return image, face_landmarks(identity, pose, size)


def face_landmarks(identity: FaceIdentity, pose: FacePose,
                   size: int) -> np.ndarray:
    """The five landmarks of a face as drawn by :func:`render_face`.

    Returns:
        np.ndarray: ``[5, 2]`` ``(x, y)`` pixels, ``float32``.
    """
    return face_to_image(canonical_landmarks(identity), pose,
                         size).astype(np.float32)


def _draw_hair(canvas: np.ndarray, identity: FaceIdentity,
               matrix: np.ndarray) -> None:
    """Paint the part of the face above the hairline in the hair colour.

    Args:
        canvas (np.ndarray): The supersampled image, drawn in place.
        identity (FaceIdentity): The face.
        matrix (np.ndarray): ``[2, 3]`` affine map from face units to
            canvas pixel coordinates (pixel centres at ``k + 0.5``).
    """
    # only the canvas pixels within the face's bounding circle
    reach = np.abs(matrix[:, :2]).sum(axis=1).max()
    low = np.clip(np.floor(matrix[:, 2] - reach), 0, canvas.shape[0])
    high = np.clip(np.ceil(matrix[:, 2] + reach), 0, canvas.shape[0])
    (x0, y0), (x1, y1) = low.astype(int), high.astype(int)
    xs, ys = np.meshgrid(np.arange(x0, x1) + 0.5, np.arange(y0, y1) + 0.5)
    pixels = np.stack([xs.ravel(), ys.ravel()], axis=1) - matrix[:, 2]
    u, v = (pixels @ np.linalg.inv(matrix[:, :2]).T).T
    inside = (u / identity.aspect)**2 + v**2 <= 1.0
    hair = inside & (v <= identity.hair_y + identity.hair_curve * u**2)
    canvas[y0:y1, x0:x1][hair.reshape(xs.shape)] = _bgr(identity.hair)


def _bgr(colour) -> Tuple[int, int, int]:
    return tuple(int(round(c)) for c in colour)


def identity_to_dict(identity: FaceIdentity) -> dict:
    """Plain-dict form of an identity (for serialised data lists)."""
    return asdict(identity)


def pose_to_dict(pose: FacePose) -> dict:
    """Plain-dict form of a pose (for serialised data lists)."""
    return asdict(pose)
