from .bbcpose import (BBCPOSE_JOINT_NAMES, BBCPOSE_METAINFO, BBCPoseDataset,
                      load_bbcpose_annotations, matlab_to_pixels)
from .human36m_simplified import (H36M_16_JOINTS, H36M_ACTIVITIES,
                                  H36M_JOINT_NAMES, SimplifiedHuman36MDataset,
                                  human36m_metainfo, read_h36m_landmarks,
                                  sequence_activity)

__all__ = [
    'BBCPoseDataset', 'BBCPOSE_JOINT_NAMES', 'BBCPOSE_METAINFO',
    'load_bbcpose_annotations', 'matlab_to_pixels',
    'SimplifiedHuman36MDataset', 'H36M_JOINT_NAMES', 'H36M_16_JOINTS',
    'H36M_ACTIVITIES', 'human36m_metainfo', 'read_h36m_landmarks',
    'sequence_activity'
]
