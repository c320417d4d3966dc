"""Procedural four-legged animals walking over real photographs.

A third synthetic family, of another kind than the faces and the creatures
(see docs/synthetic_data.md): a dog- or horse-like animal seen from the
side, made of tapered capsules (a torso, a neck, a head with a muzzle and an
ear, a tail and four legs of two segments each: thigh and shin, bent at the
knee), painted in its own random colours with one of three coat styles
(irregular patches, a dark saddle over a light belly, or dark points: lower
legs, muzzle, ear and tail tip) and dark hooves, over a fixed crop of a
real photograph, with a soft shadow under it. It faces left or right
(mirrored), comes in random proportions and sizes, and within a clip walks:
the legs swing in a four-beat walk (each knee bends while its foot swings
forward), the head nods twice per stride, the tail swings, and the whole
animal moves forward across the fixed background.

It has seven landmarks (:data:`QUADRUPED_LANDMARK_NAMES`): the nose tip, the
ear tip, the withers (the top of the back above the front legs), the hip
(the top of the back above the hind legs), the tail tip, and the feet of the
near front and near hind legs (the legs drawn in front of the body).

The withers and the hip are the normalising pair of the NME: they are the
two ends of the rigid torso, so their distance is the animal's size
whatever its pose, as the inter-ocular distance is for faces. The nose and
tail tips would not do: the distance between them shrinks and grows as the
head nods and the tail swings, so the same error would count differently
from one frame to the next.

Coordinates: ``(x, y)`` pixels with pixel centres at integer coordinates
(mmpose's convention). The animal is built in its own frame (``x`` towards
the head, ``y`` down, in units of the torso length: withers to hip) and
mapped to the image by :func:`quadruped_skeleton`.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

from .photo_canvas import (SUPERSAMPLE, canvas_grid, capsule, capsule_window,
                           composite, contrasting_colour, sample_crop)

QUADRUPED_LANDMARK_NAMES = ('nose_tip', 'ear_tip', 'withers', 'hip',
                            'tail_tip', 'front_foot', 'back_foot')
#: the NME's normalising pair: withers and hip (the torso's length)
QUADRUPED_NORM_INDICES = (2, 3)
COAT_STYLES = ('patches', 'saddle', 'points')
_MAX_DARK = 45.0  # hooves and eyes are this dark in every animal
_FAR_SIDE = 0.6  # the legs behind the body are this much darker
_SHADOW = 0.35  # darkening of the background under the animal
_END_PAD = 0.1  # the parts reach this far past their end joints
# Default ranges, shared by the samplers.
LENGTH_RANGE = (0.22, 0.32)  # torso length (withers to hip) / image size
MARGIN = 0.03  # landmarks and body stay this far inside the image
GAIT_STEP = 0.8  # largest advance of the gait per frame, radians
SCALE_STEP = 0.02  # largest relative size change per frame
DRIFT_STEP = 0.006  # largest vertical drift per frame / image size


@dataclass
class QuadrupedIdentity:
    """What stays the same across the frames of one clip.

    Lengths are in torso lengths (withers to hip), angles in degrees,
    colours BGR; ``photo``, ``crop`` and ``brightness`` pick the background
    (:func:`~.photo_canvas.render_background`).
    """
    coat: Tuple[float, float, float]
    marking: Tuple[float, float, float]  # patches, saddle or points
    dark: Tuple[float, float, float]  # hooves and eye
    style: str  # one of COAT_STYLES
    waves: Tuple[float, ...]  # patches: 3 x (kx, ky, phase), body units
    threshold: float  # patches: share of the coat covered; saddle: line
    body_radius: float
    neck_length: float
    neck_radius: float
    neck_angle: float  # rest angle of the neck above the horizontal
    head_length: float
    head_radius: float
    head_angle: float  # angle between the neck and the head
    ear_length: float
    leg_length: float  # thigh + shin, standing
    leg_radius: float  # at the knee
    hind_angle: float  # the hind thigh's forward slant at rest
    stride: float  # amplitude of the thighs' swing
    lift: float  # largest knee bend in the swing
    nod: float  # amplitude of the head's nod
    tail_length: float
    tail_radius: float  # at its base
    tail_angle: float  # rest angle above the backward horizontal
    tail_swing: float  # amplitude of the tail's swing
    photo: int  # index into the background photos
    crop: Tuple[float, float, float, float]  # x0, y0, side (fractions), flip
    brightness: float  # background gain


@dataclass
class QuadrupedPose:
    """What changes between frames: placement and the walk."""
    facing: float  # +1: head to the right, -1: mirrored
    length: float  # torso length (withers to hip) / image size
    center_x: float  # torso centre, fraction of the image
    center_y: float
    gait: float  # phase of the walk, radians
    neck: float  # neck angle above the horizontal, degrees
    tail: float  # tail angle above the backward horizontal, degrees


# ----------------------------------------------------------------------
# Sampling
# ----------------------------------------------------------------------
def sample_quadruped_identity(rng: np.random.Generator,
                              num_photos: int) -> QuadrupedIdentity:
    """Draw a random animal (proportions, gait, coat) and its background
    crop."""
    dark = rng.uniform(0, _MAX_DARK, size=3)
    coat = contrasting_colour(rng, dark)
    marking = contrasting_colour(rng, coat)
    style = COAT_STYLES[int(rng.integers(0, len(COAT_STYLES)))]
    waves = []
    for _ in range(3):
        k = rng.uniform(4.0, 9.0)
        a = rng.uniform(0, 2 * np.pi)
        waves += [k * np.cos(a), k * np.sin(a), rng.uniform(0, 2 * np.pi)]
    body_radius = rng.uniform(0.2, 0.27)
    return QuadrupedIdentity(
        coat=tuple(coat),
        marking=tuple(marking),
        dark=tuple(dark),
        style=style,
        waves=tuple(float(w) for w in waves),
        threshold=rng.uniform(0.2, 0.8),
        body_radius=body_radius,
        neck_length=rng.uniform(0.35, 0.55),
        neck_radius=rng.uniform(0.55, 0.75) * body_radius,
        neck_angle=rng.uniform(35.0, 60.0),
        head_length=rng.uniform(0.3, 0.42),
        head_radius=rng.uniform(0.12, 0.15),
        head_angle=rng.uniform(80.0, 105.0),
        ear_length=rng.uniform(0.16, 0.24),
        leg_length=rng.uniform(0.65, 0.9),
        leg_radius=rng.uniform(0.055, 0.07),
        hind_angle=rng.uniform(15.0, 28.0),
        stride=rng.uniform(18.0, 28.0),
        lift=rng.uniform(30.0, 50.0),
        nod=rng.uniform(4.0, 10.0),
        tail_length=rng.uniform(0.4, 0.65),
        tail_radius=rng.uniform(0.05, 0.09),
        tail_angle=rng.uniform(-60.0, 15.0),
        tail_swing=rng.uniform(8.0, 20.0),
        photo=int(rng.integers(0, max(num_photos, 1))),
        crop=sample_crop(rng),
        brightness=rng.uniform(0.7, 1.2))


def sample_quadruped_motion(rng: np.random.Generator,
                            identity: QuadrupedIdentity,
                            num_frames: int,
                            length_range: Tuple[float,
                                                float] = LENGTH_RANGE,
                            gait_step: float = GAIT_STEP,
                            scale_step: float = SCALE_STEP,
                            drift_step: float = DRIFT_STEP
                            ) -> List[QuadrupedPose]:
    """Frames of the animal walking forward over a fixed background.

    The gait advances by ``[0.55, 1] * gait_step`` radians per frame from a
    random phase; the head nods at twice the gait's frequency, the tail
    swings at its frequency (random phases). The animal moves forward at
    0.6-1 times the speed at which its feet would not slide, drifts
    vertically by up to ``drift_step`` and changes size by up to
    ``scale_step`` per frame; the start is placed at random where the whole
    walk keeps every landmark and the body :data:`MARGIN` inside the image
    (the walk is slowed down when there is not room enough). With
    ``num_frames=1`` this is an independent random pose.

    Args:
        rng (np.random.Generator): Random generator.
        identity (QuadrupedIdentity): The animal (its proportions decide
            how far it can walk in the image).
        num_frames (int): Number of poses.
        length_range (tuple[float, float]): Torso length range as a
            fraction of the image size. Defaults to ``(0.22, 0.32)``.
        gait_step (float): Largest gait advance per frame, radians.
        scale_step (float): Largest relative size change per frame.
        drift_step (float): Largest vertical drift per frame, as a fraction
            of the image size.

    Returns:
        list[QuadrupedPose]: ``num_frames`` poses.
    """
    facing = 1.0 if rng.uniform() < 0.5 else -1.0
    length0 = rng.uniform(*length_range)
    growth = rng.uniform(-scale_step, scale_step)
    omega = gait_step * rng.uniform(0.55, 1.0)
    gait0 = rng.uniform(0, 2 * np.pi)
    nod_phase, tail_phase = rng.uniform(0, 2 * np.pi, size=2)
    # the speed at which a foot in stance would not slide: its mean
    # backward speed relative to the body, torso lengths per frame
    natural = (identity.leg_length * np.deg2rad(identity.stride) * omega *
               2 / np.pi)
    speed = natural * rng.uniform(0.6, 1.0)
    drift = rng.uniform(-drift_step, drift_step)
    room_x, room_y = rng.uniform(size=2)
    frames = np.arange(num_frames)
    lengths = np.clip(length0 * (1 + growth)**frames, *length_range)

    def walk(speed):
        poses, travelled = [], 0.0
        for f in frames:
            poses.append(
                QuadrupedPose(
                    facing=facing,
                    length=float(lengths[f]),
                    center_x=facing * travelled,
                    center_y=float(f * drift),
                    gait=float(gait0 + omega * f),
                    neck=float(identity.neck_angle +
                               identity.nod * np.sin(2 * omega * f +
                                                     nod_phase)),
                    tail=float(identity.tail_angle + identity.tail_swing *
                               np.sin(omega * f + tail_phase))))
            travelled += speed * lengths[f]
        return poses

    poses = walk(speed)
    lo, hi = _extent(identity, poses)
    room = 1.0 - 2 * MARGIN - (hi - lo)
    if room[0] < 0 and num_frames > 1:  # no room to walk that far
        full = _extent(identity, walk(0.0))
        spare = max(1.0 - 2 * MARGIN - (full[1] - full[0])[0], 0.0)
        speed *= spare / (hi - lo - (full[1] - full[0]))[0]
        poses = walk(speed)
        lo, hi = _extent(identity, poses)
        room = 1.0 - 2 * MARGIN - (hi - lo)
    # place the walk at random in the room left (centred if there is none)
    offset = MARGIN - lo + np.maximum(room, 0) * np.array([room_x, room_y])
    offset = np.where(room < 0, 0.5 - (lo + hi) / 2, offset)
    for pose in poses:
        pose.center_x = float(pose.center_x + offset[0])
        pose.center_y = float(pose.center_y + offset[1])
    return poses


def sample_quadruped_pose(rng: np.random.Generator,
                          identity: QuadrupedIdentity,
                          length_range: Tuple[float, float] = LENGTH_RANGE
                          ) -> QuadrupedPose:
    """Draw an independent random pose: a one-frame walk."""
    return sample_quadruped_motion(rng, identity, 1, length_range)[0]


# ----------------------------------------------------------------------
# Geometry
# ----------------------------------------------------------------------
def _dir(angle_deg: float) -> np.ndarray:
    """Unit vector in the animal's frame (``x`` forward, ``y`` down) at
    ``angle_deg`` above the forward horizontal."""
    a = np.deg2rad(angle_deg)
    return np.array([np.cos(a), -np.sin(a)])


def _down(angle_deg: float) -> np.ndarray:
    """Unit vector at ``angle_deg`` from straight down, positive forward."""
    a = np.deg2rad(angle_deg)
    return np.array([np.sin(a), np.cos(a)])


def _legs(identity: QuadrupedIdentity, gait: float) -> Dict[str, tuple]:
    """Thigh and shin angles (from straight down, positive forward) of the
    four legs in a four-beat walk: near hind, near fore, far hind, far fore
    a quarter cycle apart. A thigh swings ``stride`` degrees either way;
    while it swings forward its knee bends by up to ``lift`` degrees (the
    shin folds back)."""
    legs = {}
    for name, offset in (('near_hind', 0.0), ('near_front', 0.5 * np.pi),
                         ('far_hind', np.pi), ('far_front', 1.5 * np.pi)):
        phase = gait + offset
        swing = identity.stride * np.sin(phase)
        bend = identity.lift * max(0.0, np.cos(phase))
        if name.endswith('hind'):
            # stifle forward, hock back: thigh slants forward, shin back
            thigh = identity.hind_angle + swing
            shin = thigh - 2 * identity.hind_angle - bend
        else:
            thigh = swing
            shin = thigh - bend
        legs[name] = (thigh, shin)
    return legs


def _body_joints(identity: QuadrupedIdentity,
                 pose: QuadrupedPose) -> Dict[str, np.ndarray]:
    """The joints in the animal's frame (``x`` forward, ``y`` down, torso
    lengths; the torso's centre at the origin)."""
    r = identity.body_radius
    j = dict(shoulder=np.array([0.5, 0.0]), rump=np.array([-0.5, 0.0]))
    j['withers'] = j['shoulder'] + [0.0, -0.85 * r]
    j['hip'] = j['rump'] + [0.0, -0.85 * r]
    # neck from the front of the torso up and forward; head down from it
    j['neck_base'] = j['shoulder'] + [0.6 * r, -0.3 * r]
    j['poll'] = j['neck_base'] + identity.neck_length * _dir(pose.neck)
    head_angle = pose.neck - identity.head_angle
    j['nose_tip'] = j['poll'] + identity.head_length * _dir(head_angle)
    j['ear_tip'] = j['poll'] + identity.ear_length * _dir(head_angle + 140)
    j['eye'] = (j['poll'] + 0.35 * identity.head_length * _dir(head_angle) +
                0.35 * identity.head_radius * _dir(head_angle + 90))
    # tail from the top of the rump, backwards
    j['tail_base'] = j['rump'] + [-0.8 * r, -0.5 * r]
    tail = _dir(180.0 - pose.tail)
    j['tail_tip'] = j['tail_base'] + identity.tail_length * tail
    # legs hang from inside the torso; the hind pivot is lower by what its
    # slant takes off, so that all four feet reach one ground line at rest
    half = 0.5 * identity.leg_length
    ground = 0.35 * r + identity.leg_length
    hind_drop = identity.leg_length * (1 - np.cos(
        np.deg2rad(identity.hind_angle)))
    for name, (thigh, shin) in _legs(identity, pose.gait).items():
        if name.endswith('hind'):
            top = np.array([-0.42, 0.35 * r + hind_drop])
        else:
            top = np.array([0.42, 0.35 * r])
        j[f'{name}_top'] = top
        j[f'{name}_knee'] = top + half * _down(thigh)
        j[f'{name}_foot'] = j[f'{name}_knee'] + half * _down(shin)
    j['front_foot'] = j['near_front_foot']
    j['back_foot'] = j['near_hind_foot']
    j['ground'] = np.array([0.0, ground])
    return j


def _extent(identity: QuadrupedIdentity, poses: List[QuadrupedPose]
            ) -> Tuple[np.ndarray, np.ndarray]:
    """Smallest and largest ``(x, y)`` of every joint over ``poses``,
    widened by the thickness of the ends (muzzle, ear, feet, tail), as
    fractions of the image."""
    lo, hi = np.full(2, np.inf), np.full(2, -np.inf)
    for pose in poses:
        joints = _body_joints(identity, pose)
        points = np.stack([v for k, v in joints.items() if k != 'ground'])
        points = points * [pose.facing, 1.0] * pose.length + [
            pose.center_x, pose.center_y
        ]
        pad = _END_PAD * pose.length
        lo = np.minimum(lo, points.min(0) - pad)
        hi = np.maximum(hi, points.max(0) + pad)
    return lo, hi


def quadruped_skeleton(identity: QuadrupedIdentity, pose: QuadrupedPose,
                       size: int) -> Dict[str, np.ndarray]:
    """Joint positions in ``(x, y)`` pixels.

    Returns:
        dict: every joint of the animal (the landmarks of
        :data:`QUADRUPED_LANDMARK_NAMES`, ``shoulder``, ``rump``,
        ``neck_base``, ``poll``, ``eye``, ``tail_base``, ``ground`` and
        ``{near,far}_{front,hind}_{top,knee,foot}``) as ``[2]`` arrays, and
        ``scale`` (pixels per torso length).
    """
    scale = pose.length * size
    centre = np.array([pose.center_x, pose.center_y]) * size - 0.5
    flip = np.array([pose.facing, 1.0])
    joints = {
        k: centre + scale * flip * v
        for k, v in _body_joints(identity, pose).items()
    }
    joints['scale'] = scale
    return joints


def quadruped_landmarks(identity: QuadrupedIdentity, pose: QuadrupedPose,
                        size: int) -> np.ndarray:
    """The seven landmarks (:data:`QUADRUPED_LANDMARK_NAMES`), ``[7, 2]``
    ``(x, y)`` pixels, ``float32``."""
    joints = quadruped_skeleton(identity, pose, size)
    return np.stack([joints[name] for name in QUADRUPED_LANDMARK_NAMES
                     ]).astype(np.float32)


def quadruped_parts(identity: QuadrupedIdentity, pose: QuadrupedPose,
                    size: int) -> List[dict]:
    """The capsules the animal is drawn with, in drawing order.

    Returns:
        list[dict]: ``name``, ``a`` and ``b`` (``[2]`` ends, pixels), ``ra``
        and ``rb`` (radii, pixels) of each part: the far legs, the tail,
        the torso, the neck, the head, the ear, the near legs, each leg a
        ``*_thigh``, a ``*_shin`` and a ``*_hoof``.
    """
    j = quadruped_skeleton(identity, pose, size)
    s = j['scale']
    r = identity.body_radius * s
    leg = identity.leg_radius * s
    parts = []

    def add(name, a, b, ra, rb):
        parts.append(dict(name=name, a=a, b=b, ra=ra, rb=rb))

    def add_leg(side):
        top, knee, foot = (j[f'{side}_{k}'] for k in ('top', 'knee', 'foot'))
        thick = 2.2 if side.endswith('hind') else 1.7
        add(f'{side}_thigh', top, knee, thick * leg, leg)
        add(f'{side}_shin', knee, foot, leg, 0.8 * leg)
        # the hoof: the last fifth of the shin, a little wider
        add(f'{side}_hoof', foot + 0.2 * (knee - foot), foot, 0.95 * leg,
            0.95 * leg)

    add_leg('far_hind')
    add_leg('far_front')
    add('tail', j['tail_base'], j['tail_tip'], identity.tail_radius * s,
        0.4 * identity.tail_radius * s)
    add('torso', j['rump'], j['shoulder'], r, r)
    add('neck', j['neck_base'], j['poll'], identity.neck_radius * s,
        0.85 * identity.head_radius * s)
    head_r = identity.head_radius * s
    add('head', j['poll'], j['nose_tip'], head_r, 0.55 * head_r)
    add('ear', j['poll'], j['ear_tip'], 0.45 * head_r, 0.15 * head_r)
    add_leg('near_hind')
    add_leg('near_front')
    return parts


# ----------------------------------------------------------------------
# Drawing
# ----------------------------------------------------------------------
def _coat_marks(identity: QuadrupedIdentity, u: np.ndarray,
                v: np.ndarray) -> Optional[np.ndarray]:
    """Where the coat shows the marking colour, for the patches and the
    saddle (``None`` for the points, which depend on the part).

    Args:
        u, v (np.ndarray): Canvas pixels in the animal's frame (torso
            lengths, ``u`` forward, ``v`` down): the coat is attached to the
            animal, not to the image.
    """
    if identity.style == 'patches':
        w = np.asarray(identity.waves).reshape(3, 3)
        field = sum(np.sin(kx * u + ky * v + p) for kx, ky, p in w) / 3
        # threshold 0.2-0.8: about 40-10 % of the coat in patches
        return field > 0.5 * identity.threshold
    if identity.style == 'saddle':
        line = -identity.body_radius * identity.threshold + 0.06 * np.sin(
            6 * u + identity.waves[2])
        return v < line
    return None


def _points(name: str, t: np.ndarray) -> np.ndarray:
    """The points style: dark lower legs, muzzle, ear and tail tip."""
    if name.endswith('shin') or name == 'ear':
        return np.ones_like(t, bool)
    if name == 'head':
        return t > 0.55
    if name == 'tail':
        return t > 0.5
    return np.zeros_like(t, bool)


def render_quadruped(identity: QuadrupedIdentity,
                     pose: QuadrupedPose,
                     size: int,
                     background: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Draw an animal over a background.

    Args:
        identity (QuadrupedIdentity): Shape, gait and coat.
        pose (QuadrupedPose): Placement and phase of the walk.
        size (int): Output image size (square).
        background (np.ndarray): BGR ``[size, size, 3]`` (any dtype).

    Returns:
        tuple[np.ndarray, np.ndarray]: The BGR ``uint8`` image and the
        landmarks ``[7, 2]`` (``(x, y)`` pixels).
    """
    joints = quadruped_skeleton(identity, pose, size)
    scale = joints['scale']
    ss = SUPERSAMPLE
    px, py = canvas_grid(size, ss)
    colour = np.zeros((size * ss, size * ss, 3), np.float32)
    alpha = np.zeros((size * ss, size * ss), np.float32)
    # the canvas in the animal's frame, for the coat
    centre = np.array([pose.center_x, pose.center_y]) * size - 0.5
    u = (px - centre[0]) / scale * pose.facing
    v = (py - centre[1]) / scale
    coat = np.array(identity.coat, np.float32)
    marking = np.array(identity.marking, np.float32)
    dark = np.array(identity.dark, np.float32)
    marks = _coat_marks(identity, u, v)

    # a soft shadow on the ground under the body
    ground = joints['ground']
    shadow = (((px - ground[0]) / (0.75 * scale))**2 +
              ((py - ground[1]) / (0.09 * scale))**2) <= 1
    alpha[shadow] = _SHADOW
    for part in quadruped_parts(identity, pose, size):
        name = part['name']
        # only the canvas window the part can cover
        win = capsule_window(part['a'], part['b'], max(part['ra'],
                                                       part['rb']), size, ss)
        inside, t, across = capsule(px[win], py[win], part['a'], part['b'],
                                    part['ra'], part['rb'])
        if name.endswith('hoof'):
            rgb = np.broadcast_to(dark, inside.shape + (3, ))
        else:
            mark = _points(name, t) if marks is None else marks[win]
            rgb = np.where(mark[..., None], marking, coat)
            # round shading across each part
            rgb = rgb * (1.0 - 0.3 * np.clip(across, -1, 1)**2)[..., None]
        if name.startswith('far'):
            rgb = rgb * _FAR_SIDE
        colour[win][inside] = rgb[inside]
        alpha[win][inside] = 1.0
    # a dark eye
    eye = joints['eye']
    inside = ((px - eye[0])**2 + (py - eye[1])**2 <=
              (0.35 * identity.head_radius * scale)**2)
    colour[inside] = dark
    alpha[inside] = 1.0
    image = composite(background, colour, alpha, size, ss)
    return image, quadruped_landmarks(identity, pose, size)


def quadruped_bbox(identity: QuadrupedIdentity, pose: QuadrupedPose,
                   size: int) -> np.ndarray:
    """The animal's bounding box ``[4]`` (xyxy pixels, clipped to the
    image): its joints widened by the body's radius."""
    joints = quadruped_skeleton(identity, pose, size)
    points = np.stack(
        [v for k, v in joints.items() if k not in ('scale', 'ground')])
    pad = identity.body_radius * joints['scale']
    box = np.concatenate([points.min(0) - pad, points.max(0) + pad])
    return np.clip(box, 0, size - 1).astype(np.float32)
