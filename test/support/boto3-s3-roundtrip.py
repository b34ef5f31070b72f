"""Puts then gets each key given (a JSON list on stdin) with boto3, path-style, against
AWS_ENDPOINT_URL and the bucket in argv[1]; prints a JSON object: key -> the body read back, or
the error code S3 answered."""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

bucket = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
out = {}
for key in json.load(sys.stdin):
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=("body of " + key).encode("utf-8"))
        out[key] = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    except ClientError as e:
        out[key] = e.response["Error"]["Code"]
print(json.dumps(out))
