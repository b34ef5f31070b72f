/**
 * Debian's `awscli` and `python3-boto3` (installed by .ci/run), by their paths: other copies on
 * PATH (pip's, pyenv's) are not the clients the tests promise to drive.
 */
import { existsSync } from "node:fs";

export const DEBIAN_AWS = "/usr/bin/aws";
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** Whether Debian's AWS CLI is installed (CI installs it; a developer machine may not have it). */
export const hasDebianAws = existsSync(DEBIAN_AWS);
