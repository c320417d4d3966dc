"""mmkp_unsup: an mmpose plugin for unsupervised landmarks through
conditional image generation.

Installs the package only. The full OpenMMLab stack (torch, mmcv with
compiled ops built from source, mmdet, mmpose) is installed by
``tools/setup_env.sh`` (``make install``).
"""
import os.path as osp
import re

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def version() -> str:
    with open(osp.join(HERE, 'mmkp_unsup', 'version.py')) as f:
        return re.search(r"__version__ = '(.+)'", f.read()).group(1)


def requirements(name: str) -> list:
    with open(osp.join(HERE, 'requirements', name)) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line and not line.startswith('-')]


setup(
    name='mmkp_unsup',
    version=version(),
    description='Unsupervised object landmarks through conditional image '
    'generation (Jakab et al., NeurIPS 2018), as an mmpose plugin',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.8',
    install_requires=requirements('runtime.txt'),
    extras_require=dict(tests=requirements('tests.txt')),
    zip_safe=False)
