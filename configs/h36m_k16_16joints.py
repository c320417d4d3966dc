# The other public Human3.6M setup (an option, not the paper's protocol; as
# neuroethology/BKinD reads it): train S1, S5-S8; regression to 16 joints
# (H36M_16_JOINTS of the reader); test S9 + S11; a sequence is kept if its
# activity (name before the first space or dot) is one of the six exactly.
# Validation: fitted on S1, S5-S7, scored on S8.
_base_ = ['./h36m_k16.py']

train_subjects = ['S1', 'S5', 'S6', 'S7', 'S8']
test_subjects = ['S9', 'S11']
joints16 = [1, 2, 3, 6, 7, 8, 12, 13, 14, 15, 17, 18, 19, 25, 26, 27]

train_dataloader = dict(
    dataset=dict(
        dataset=dict(subjects=train_subjects, activity_match='exact')))
val_dataloader = dict(
    dataset=dict(
        fit_dataset=dict(
            subjects=['S1', 'S5', 'S6', 'S7'],
            activity_match='exact',
            keypoint_indices=joints16),
        eval_dataset=dict(
            subjects=['S8'],
            activity_match='exact',
            keypoint_indices=joints16)))
test_dataloader = dict(
    dataset=dict(
        fit_dataset=dict(
            subjects=train_subjects,
            activity_match='exact',
            keypoint_indices=joints16),
        eval_dataset=dict(
            subjects=test_subjects,
            activity_match='exact',
            keypoint_indices=joints16)))
