"""tools/setup_env.sh reports the progress of a long build (mmcv's compiled
ops take 10-20 minutes on 2 cores) instead of staying silent."""
import os.path as osp
import shlex
import subprocess

FAKE_BUILD = r'''
echo "running build_ext"
echo "[1/3] c++ -MMD -c /tmp/b/mmcv/ops/csrc/pytorch/nms.cpp -o nms.o"
sleep 2.5
echo "[2/3] c++ -MMD -c /tmp/b/mmcv/ops/csrc/pytorch/roi_align.cpp -o r.o"
sleep 2.5
'''


def _run(repo_root: str, tmp_path, command: str):
    script = (f'source {osp.join(repo_root, "tools", "setup_env.sh")}\n'
              f'run_with_progress {tmp_path}/build.log "building mmcv" '
              f'bash -c {shlex.quote(command)}\n')
    return subprocess.run(['bash', '-c', script],
                          capture_output=True,
                          text=True,
                          timeout=60,
                          env={'MMKP_PROGRESS_INTERVAL': '1',
                               'PATH': '/usr/bin:/bin'})


def test_build_prints_elapsed_time_and_the_file_it_compiles(
        repo_root, tmp_path):
    result = _run(repo_root, tmp_path, FAKE_BUILD)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines()
             if line.startswith('[setup_env] building mmcv: ')]
    assert len(lines) >= 3, result.stdout
    assert any('step 1 of 3, compiling nms.cpp' in line for line in lines)
    assert 'step 2 of 3, compiling roi_align.cpp' in lines[-1]
    assert ' min ' in lines[-1] and lines[-1].split(': ')[1][0].isdigit()
    # the build's own output went to the log, not to the terminal
    assert 'running build_ext' not in result.stdout
    assert 'running build_ext' in (tmp_path / 'build.log').read_text()


def test_failed_build_shows_the_end_of_its_log(repo_root, tmp_path):
    result = _run(repo_root, tmp_path,
                  'echo "error: nms.cpp:12: no member named foo"; exit 3')
    assert result.returncode == 3
    assert 'building mmcv failed (exit 3)' in result.stdout
    assert 'no member named foo' in result.stderr
