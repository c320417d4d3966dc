from .export import KeypointDetector, export_onnx, load_model

__all__ = ['KeypointDetector', 'export_onnx', 'load_model']
