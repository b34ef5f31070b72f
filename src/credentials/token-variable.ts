/**
 * AWS_CONTAINER_AUTHORIZATION_TOKEN for the clients that read the token itself and not the file
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names: those older than the versions the Amazon EKS user
 * guide lists for Pod Identity ("Use pod identity with the AWS SDK"), Debian 12's AWS CLI 2.9,
 * boto3 1.26 and SDK for Go v2 1.17 among them. xacct prints the shell line that reads the token
 * from its file, never the token: the line is a comment the user copies where such a client runs,
 * since a token in the environment is inherited by every process started from there.
 */
import { commentLine, shellWord } from "../text/escape.js";

/** The first versions that read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (the EKS user guide's Pod Identity minimums). */
export const TOKEN_FILE_SINCE = "AWS CLI 2.15.0, boto3 1.34.41, SDK for Java 2.21.30 and 1.12.746, SDK for Go v2 release-2023-11-14";

/** `export AWS_CONTAINER_AUTHORIZATION_TOKEN="$(cat -- FILE)"`: the token read from its file by the shell that runs the line. */
export function tokenFromFileExport(tokenFile: string): string {
  return `export AWS_CONTAINER_AUTHORIZATION_TOKEN="$(cat -- ${shellWord(tokenFile)})"`;
}

/** The comment line that gives older clients the token: what they are, then the export to copy (after `: `). */
export function olderClientsTokenLine(tokenFile: string, indent = ""): string {
  return commentLine(
    `${indent}clients that read AWS_CONTAINER_AUTHORIZATION_TOKEN but not its _FILE (older than ${TOKEN_FILE_SINCE}): ${tokenFromFileExport(tokenFile)}`,
  );
}
