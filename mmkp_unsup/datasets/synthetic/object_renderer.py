"""Procedural articulated creatures over real photographs.

A second synthetic family, unlike the faces (see docs/synthetic_data.md):
a salamander-like creature made of a head, a body, a tail and two legs,
each a tapered capsule, painted with its own texture (stripes or spots in
random colours, a shaded body, a dark eye) over a random crop of a real
photograph. Within a clip the creature moves (translation, rotation,
scale) and deforms (the neck, hip and legs bend); the background crop of a
clip stays fixed, like a static camera.

It has five landmarks: the head tip, the tail tip, the neck, the hip and
the front leg's tip. The head and tail tips are the normalising pair of the
NME (the creature's length).

Coordinates: ``(x, y)`` pixels with pixel centres at integer coordinates
(mmpose's convention), as for the faces.
"""
from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from .photo_canvas import (SUPERSAMPLE, canvas_grid, capsule, composite,
                           contrasting_colour, sample_crop, unit)
# the backgrounds live in photo_canvas; importable from here as before
from .photo_canvas import (DEFAULT_PHOTOS, default_photo_paths,  # noqa: F401
                           load_photos, render_background)

OBJECT_LANDMARK_NAMES = ('head_tip', 'tail_tip', 'neck', 'hip',
                         'front_leg_tip')
_MIN_CONTRAST = 120.0  # min L1 distance between the pattern colours
_MAX_DARK = 40.0  # the eye is this dark in every creature
# Default pose ranges, shared by every sampler.
MAX_HEADING = 50.0  # degrees either side of facing right
LENGTH_RANGE = (0.5, 0.75)  # head tip to tail tip (straight) / image size
MAX_SHIFT = 0.1
# joint angle limits (degrees) of the deformations
MAX_NECK = 30.0
MAX_HIP = 40.0
LEG_RANGE = (35.0, 100.0)  # angle of each leg from the body axis


@dataclass
class ObjectIdentity:
    """What stays the same across the frames of one clip.

    Lengths are fractions of the creature's straight length; colours are
    BGR; ``photo`` and ``crop`` pick the background.
    """
    base: Tuple[float, float, float]
    pattern: Tuple[float, float, float]
    head: Tuple[float, float, float]
    eye: Tuple[float, float, float]
    spots: bool  # spots instead of stripes
    frequency: float  # pattern periods per creature length
    phase: float
    head_length: float
    body_length: float  # the tail is the rest
    head_radius: float
    body_radius: float
    tail_radius: float
    leg_length: float
    leg_radius: float
    photo: int  # index into the background photos
    crop: Tuple[float, float, float, float]  # x0, y0, side (fractions), flip
    brightness: float  # background gain


@dataclass
class ObjectPose:
    """What changes between frames: placement and articulation."""
    heading: float  # degrees, counter-clockwise, 0: head to the right
    length: float  # straight length as a fraction of the image size
    center_x: float  # body centre, fraction of the image
    center_y: float
    neck: float  # bend of the head against the body, degrees
    hip: float  # bend of the tail against the body, degrees
    front_leg: float  # leg angles from the body axis, degrees
    back_leg: float


# ----------------------------------------------------------------------
# Sampling
# ----------------------------------------------------------------------
def _colour(rng: np.random.Generator, *avoid: np.ndarray) -> np.ndarray:
    return contrasting_colour(rng, *avoid, min_contrast=_MIN_CONTRAST)


def sample_object_identity(rng: np.random.Generator,
                           num_photos: int) -> ObjectIdentity:
    """Draw a random creature and its background crop."""
    eye = rng.uniform(0, _MAX_DARK, size=3)
    base = _colour(rng, eye)
    pattern = _colour(rng, base)
    head = _colour(rng, eye)
    head_length = rng.uniform(0.18, 0.24)
    body_length = rng.uniform(0.36, 0.44)
    return ObjectIdentity(
        base=tuple(base),
        pattern=tuple(pattern),
        head=tuple(head),
        eye=tuple(eye),
        spots=bool(rng.uniform() < 0.5),
        frequency=rng.uniform(4.0, 8.0),
        phase=rng.uniform(0, 2 * np.pi),
        head_length=head_length,
        body_length=body_length,
        head_radius=rng.uniform(0.08, 0.1),
        body_radius=rng.uniform(0.1, 0.13),
        tail_radius=rng.uniform(0.06, 0.08),
        leg_length=rng.uniform(0.16, 0.22),
        leg_radius=rng.uniform(0.035, 0.045),
        photo=int(rng.integers(0, max(num_photos, 1))),
        crop=sample_crop(rng),
        brightness=rng.uniform(0.7, 1.2))


def sample_object_pose(rng: np.random.Generator,
                       max_heading: float = MAX_HEADING,
                       length_range: Tuple[float, float] = LENGTH_RANGE,
                       max_shift: float = MAX_SHIFT) -> ObjectPose:
    """Draw a random placement and articulation."""
    return ObjectPose(
        heading=rng.uniform(-max_heading, max_heading),
        length=rng.uniform(*length_range),
        center_x=0.5 + rng.uniform(-max_shift, max_shift),
        center_y=0.5 + rng.uniform(-max_shift, max_shift),
        neck=rng.uniform(-MAX_NECK, MAX_NECK),
        hip=rng.uniform(-MAX_HIP, MAX_HIP),
        front_leg=rng.uniform(*LEG_RANGE),
        back_leg=rng.uniform(*LEG_RANGE))


def sample_object_motion(rng: np.random.Generator,
                         num_frames: int,
                         max_heading: float = MAX_HEADING,
                         length_range: Tuple[float, float] = LENGTH_RANGE,
                         max_shift: float = MAX_SHIFT,
                         heading_step: float = 6.0,
                         shift_step: float = 0.03,
                         scale_step: float = 0.03,
                         bend_step: float = 12.0) -> List[ObjectPose]:
    """Frames of a creature walking: steady motion, swinging joints.

    The first pose is drawn as in :func:`sample_object_pose`; heading,
    position and scale then change at a constant rate drawn from
    ``[-step, step]`` (kept inside the ranges), while the neck, hip and
    legs swing: each joint angle follows a sine with a random phase and an
    amplitude giving up to ``bend_step`` degrees of change per frame
    (clipped to the joint limits).

    Args:
        rng (np.random.Generator): Random generator.
        num_frames (int): Number of poses.
        max_heading, length_range, max_shift: See
            :func:`sample_object_pose`.
        heading_step (float): Largest rotation per frame, degrees.
        shift_step (float): Largest translation per frame and axis, as a
            fraction of the image size.
        scale_step (float): Largest relative length change per frame.
        bend_step (float): Largest joint-angle change per frame, degrees.

    Returns:
        list[ObjectPose]: ``num_frames`` poses.
    """
    start = sample_object_pose(rng, max_heading, length_range, max_shift)
    velocity = rng.uniform(-1, 1, size=4) * np.array(
        [heading_step, shift_step, shift_step, scale_step])
    omega = rng.uniform(0.3, 0.6)  # radians per frame of the gait
    phases = rng.uniform(0, 2 * np.pi, size=4)
    # amplitude a with a * omega = bend_step at most
    amps = bend_step / omega * rng.uniform(0.5, 1.0, size=4)
    limits = [(-MAX_NECK, MAX_NECK), (-MAX_HIP, MAX_HIP), LEG_RANGE,
              LEG_RANGE]
    rest = [start.neck, start.hip, start.front_leg, start.back_leg]
    poses = []
    for f in range(num_frames):
        joints = [
            float(np.clip(r + a * (np.sin(omega * f + p) - np.sin(p)), lo,
                          hi))
            for r, a, p, (lo, hi) in zip(rest, amps, phases, limits)
        ]
        poses.append(
            ObjectPose(
                heading=float(
                    np.clip(start.heading + f * velocity[0], -max_heading,
                            max_heading)),
                length=float(
                    np.clip(start.length * (1 + velocity[3])**f,
                            *length_range)),
                center_x=float(
                    np.clip(start.center_x + f * velocity[1],
                            0.5 - max_shift, 0.5 + max_shift)),
                center_y=float(
                    np.clip(start.center_y + f * velocity[2],
                            0.5 - max_shift, 0.5 + max_shift)),
                neck=joints[0],
                hip=joints[1],
                front_leg=joints[2],
                back_leg=joints[3]))
    return poses


# ----------------------------------------------------------------------
# Geometry and drawing
# ----------------------------------------------------------------------
def object_skeleton(identity: ObjectIdentity, pose: ObjectPose,
                    size: int) -> dict:
    """Joint positions in ``(x, y)`` pixels.

    Returns:
        dict: ``head_tip``, ``neck``, ``hip``, ``tail_tip``, ``front_hip``,
        ``front_leg_tip``, ``back_hip``, ``back_leg_tip`` as ``[2]``
        arrays, and ``scale`` (pixels per unit of creature length).
    """
    scale = pose.length * size
    centre = np.array([pose.center_x, pose.center_y]) * size - 0.5
    axis = unit(pose.heading)  # body axis, tail -> head
    # the centre is the middle of the straightened creature
    neck = centre + (0.5 - identity.head_length) * scale * axis
    hip = neck - identity.body_length * scale * axis
    head_tip = neck + identity.head_length * scale * unit(pose.heading +
                                                           pose.neck)
    tail_length = 1.0 - identity.head_length - identity.body_length
    tail_tip = hip - tail_length * scale * unit(pose.heading + pose.hip)
    # legs on the creature's right side (below the axis when facing right)
    front_hip = neck - 0.15 * identity.body_length * scale * axis
    back_hip = hip + 0.15 * identity.body_length * scale * axis
    leg = identity.leg_length * scale
    front_leg_tip = front_hip + leg * unit(pose.heading - pose.front_leg)
    back_leg_tip = back_hip + leg * unit(pose.heading - 180 + pose.back_leg)
    return dict(
        head_tip=head_tip,
        neck=neck,
        hip=hip,
        tail_tip=tail_tip,
        front_hip=front_hip,
        front_leg_tip=front_leg_tip,
        back_hip=back_hip,
        back_leg_tip=back_leg_tip,
        scale=scale)


def object_landmarks(identity: ObjectIdentity, pose: ObjectPose,
                     size: int) -> np.ndarray:
    """The five landmarks (:data:`OBJECT_LANDMARK_NAMES`), ``[5, 2]``
    ``(x, y)`` pixels, ``float32``."""
    joints = object_skeleton(identity, pose, size)
    return np.stack([joints[name] for name in OBJECT_LANDMARK_NAMES
                     ]).astype(np.float32)


def render_object(identity: ObjectIdentity,
                  pose: ObjectPose,
                  size: int,
                  background: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Draw a creature over a background.

    Args:
        identity (ObjectIdentity): Shape and texture.
        pose (ObjectPose): Placement and articulation.
        size (int): Output image size (square).
        background (np.ndarray): BGR ``[size, size, 3]`` (any dtype).

    Returns:
        tuple[np.ndarray, np.ndarray]: The BGR ``uint8`` image and the
        landmarks ``[5, 2]`` (``(x, y)`` pixels).
    """
    joints = object_skeleton(identity, pose, size)
    scale = joints['scale']
    ss = SUPERSAMPLE
    px, py = canvas_grid(size, ss)
    colour = np.zeros((size * ss, size * ss, 3), np.float32)
    alpha = np.zeros((size * ss, size * ss), np.float32)
    base = np.array(identity.base, np.float32)
    pattern = np.array(identity.pattern, np.float32)
    period = scale / identity.frequency  # pixels per pattern period

    def paint(inside, rgb):
        colour[inside] = rgb[inside] if rgb.ndim == 3 else rgb
        alpha[inside] = 1.0

    def textured(inside, t, v, a, b):
        """Body texture: pattern along the arc length, shading across."""
        along = np.hypot(*(b - a)) * t + arc[0]
        phase = 2 * np.pi * along / period + identity.phase
        if identity.spots:
            across = v * 1.6
            mark = (np.sin(phase) * np.cos(np.pi * across)) > 0.45
        else:
            mark = np.sin(phase) > 0.3
        rgb = np.where(mark[..., None], pattern, base)
        shade = (1.0 - 0.35 * np.clip(v, -1, 1)**2)[..., None]
        return rgb * shade

    # legs first (under the body), in the pattern colour
    r = identity.leg_radius * scale
    for hip_key, tip_key in (('back_hip', 'back_leg_tip'),
                             ('front_hip', 'front_leg_tip')):
        inside, _, v = capsule(px, py, joints[hip_key], joints[tip_key],
                                r * 1.2, r * 0.7)
        shade = (1.0 - 0.3 * np.clip(v, -1, 1)**2)[..., None]
        paint(inside, pattern * 0.8 * shade)
    # tail, body, head along the arc length from the tail tip
    segments = [
        ('tail_tip', 'hip', 0.25 * identity.tail_radius,
         identity.tail_radius),
        ('hip', 'neck', identity.body_radius, identity.body_radius),
    ]
    arc = [0.0]
    for a_key, b_key, ra, rb in segments:
        a, b = joints[a_key], joints[b_key]
        inside, t, v = capsule(px, py, a, b, ra * scale, rb * scale)
        paint(inside, textured(inside, t, v, a, b))
        arc[0] += float(np.hypot(*(b - a)))
    # the head: a capsule from the neck to a round snout at the tip
    head_r = identity.head_radius * scale
    tip_dir = joints['head_tip'] - joints['neck']
    tip_dir = tip_dir / max(np.hypot(*tip_dir), 1e-6)
    snout = joints['head_tip'] - 0.5 * head_r * tip_dir
    inside, t, v = capsule(px, py, joints['neck'], snout, head_r,
                            0.5 * head_r)
    shade = (1.0 - 0.3 * np.clip(v, -1, 1)**2)[..., None]
    paint(inside, np.array(identity.head, np.float32) * shade)
    # a dark eye on each side of the head, near the snout
    normal = np.array([tip_dir[1], -tip_dir[0]])
    for side in (-1, 1):
        centre = (joints['head_tip'] - 1.6 * head_r * tip_dir +
                  side * 0.55 * head_r * normal)
        inside = (px - centre[0])**2 + (py - centre[1])**2 <= (0.3 *
                                                               head_r)**2
        paint(inside, np.array(identity.eye, np.float32))

    image = composite(background, colour, alpha, size, ss)
    return image, object_landmarks(identity, pose, size)


def object_bbox(identity: ObjectIdentity, pose: ObjectPose,
                size: int) -> np.ndarray:
    """The creature's bounding box ``[4]`` (xyxy pixels, clipped to the
    image): its joints widened by the body radius."""
    joints = object_skeleton(identity, pose, size)
    points = np.stack([
        joints[k] for k in ('head_tip', 'neck', 'hip', 'tail_tip',
                            'front_leg_tip', 'back_leg_tip')
    ])
    pad = max(identity.body_radius, identity.head_radius) * joints['scale']
    box = np.concatenate([points.min(0) - pad, points.max(0) + pad])
    return np.clip(box, 0, size - 1).astype(np.float32)
