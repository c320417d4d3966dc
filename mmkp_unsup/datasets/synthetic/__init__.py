from .face_renderer import (FaceIdentity, FacePose, face_landmarks,
                            face_to_image, render_face, sample_identity,
                            sample_jittered_poses, sample_motion,
                            sample_pose)
from .synthetic_faces import SYNTHETIC_FACES_METAINFO, SyntheticFaceDataset

__all__ = [
    'FaceIdentity', 'FacePose', 'face_landmarks', 'face_to_image',
    'render_face', 'sample_identity', 'sample_pose', 'sample_motion',
    'sample_jittered_poses', 'SYNTHETIC_FACES_METAINFO',
    'SyntheticFaceDataset'
]
from .object_renderer import (ObjectIdentity, ObjectPose, object_bbox,
                              object_landmarks, render_object,
                              sample_object_identity, sample_object_motion,
                              sample_object_pose)
from .synthetic_objects import (SYNTHETIC_OBJECTS_METAINFO,
                                SyntheticObjectDataset)

__all__ += [
    'ObjectIdentity', 'ObjectPose', 'object_bbox', 'object_landmarks',
    'render_object', 'sample_object_identity', 'sample_object_motion',
    'sample_object_pose', 'SYNTHETIC_OBJECTS_METAINFO',
    'SyntheticObjectDataset'
]
from .quadruped_renderer import (QUADRUPED_LANDMARK_NAMES,
                                 QUADRUPED_NORM_INDICES, QuadrupedIdentity,
                                 QuadrupedPose, quadruped_bbox,
                                 quadruped_landmarks, render_quadruped,
                                 sample_quadruped_identity,
                                 sample_quadruped_motion,
                                 sample_quadruped_pose)
from .synthetic_quadrupeds import (SYNTHETIC_QUADRUPEDS_METAINFO,
                                   SyntheticQuadrupedDataset)

__all__ += [
    'QUADRUPED_LANDMARK_NAMES', 'QUADRUPED_NORM_INDICES',
    'QuadrupedIdentity', 'QuadrupedPose', 'quadruped_bbox',
    'quadruped_landmarks', 'render_quadruped', 'sample_quadruped_identity',
    'sample_quadruped_motion', 'sample_quadruped_pose',
    'SYNTHETIC_QUADRUPEDS_METAINFO', 'SyntheticQuadrupedDataset'
]
