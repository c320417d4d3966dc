# The second held-out built-in family: four-legged animals walking over real
# photographs, seen from the side (docs/synthetic_data.md). Used to check the
# small-image defaults, never to choose them. The creatures' data base
# (synthetic_objects.py: splits, sizes, pairs at least 3 frames apart, the
# inference pipeline) with this dataset; the NME is normalised by the
# withers-to-hip distance (landmarks 2 and 3: the rigid torso, whatever the
# head and tail do).
_base_ = ['./synthetic_objects.py']

dataset_type = 'SyntheticQuadrupedDataset'

# unsupervised training: 2000 animals, clips of 8 frames in which each walks
# forward over a fixed crop of a photograph
train_objects = dict(type=dataset_type)
train_dataloader = dict(dataset=dict(dataset=train_objects))
# landmark regression: fitted on 2000 new animals, reported on 1000 others
val_dataloader = dict(
    dataset=dict(
        fit_dataset=dict(type=dataset_type),
        eval_dataset=dict(type=dataset_type)))
test_dataloader = val_dataloader

# withers and hip: the torso's length
val_evaluator = dict(norm_indices=(2, 3))
test_evaluator = val_evaluator
