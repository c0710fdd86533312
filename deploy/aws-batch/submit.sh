#!/bin/sh
# An ecsim experiment on AWS Batch, sharded: an array job runs one shard of it per child, each
# writing /results/shard-<index> on an EFS file system; a second job, depending on the array,
# merges them.
#
# Before the first run:
#   - build an image with the binary and the scenarios (see deploy/kubernetes/indexed-job.yaml:
#     `cargo build --release`, copy target/release/ecsim and scenarios/, WORKDIR /ecsim), push it
#     to ECR and put its URI in job-definition.json's `image`;
#   - put your EFS file system's id in job-definition.json's `fileSystemId`; the compute
#     environment's instances must reach it (security group allowing NFS, port 2049).
#
# Run from the repository root:
#   QUEUE=my-job-queue deploy/aws-batch/submit.sh
# The merged folder is /results/merged on the file system (comparison.md, runs.csv, charts).
set -eu

QUEUE=${QUEUE:?set QUEUE to the name of an AWS Batch job queue}
# Shards: the array's size, given to ecsim as ECSIM_SHARDS (AWS Batch gives only the index).
# Changing it? List one /results/shard-<i> per shard in the merge below.
SHARDS=4

aws batch register-job-definition --cli-input-json file://deploy/aws-batch/job-definition.json

array=$(aws batch submit-job \
  --job-name ecsim-sweep \
  --job-queue "$QUEUE" \
  --job-definition ecsim-sweep \
  --array-properties size=$SHARDS \
  --container-overrides "environment=[{name=ECSIM_SHARDS,value=$SHARDS}]" \
  --query jobId --output text)
echo "sweep: array job $array, $SHARDS shards"

# Starts once every child of the array job has finished.
merge=$(aws batch submit-job \
  --job-name ecsim-merge \
  --job-queue "$QUEUE" \
  --job-definition ecsim-sweep \
  --depends-on jobId="$array" \
  --container-overrides '{"command": ["sh", "-c", "ecsim merge /results/shard-0 /results/shard-1 /results/shard-2 /results/shard-3 --out /results/merged"]}' \
  --query jobId --output text)
echo "merge: job $merge"
echo "follow them: aws batch describe-jobs --jobs $array $merge"
