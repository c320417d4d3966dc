from .clip_folder_dataset import ClipFolderDataset
from .voxceleb_dataset import VoxCeleb1FramesDataset, VoxCeleb2VideoDataset

__all__ = [
    'ClipFolderDataset', 'VoxCeleb1FramesDataset', 'VoxCeleb2VideoDataset'
]
