# Asks STS who the caller is, with the AWS SDK for Ruby's default credential chain: the
# environment's keys, AWS_PROFILE's profile in the shared config files (source_profile, role_arn,
# web_identity_token_file, credential_process), the container credentials endpoint.
# Prints {"arn": "..."}; on any error prints the SDK's message on stderr and exits 1.
#
# Debian 12's aws-sdk-core (3.168) predates AWS_ENDPOINT_URL, so the sandbox's URL
# (XACCT_SANDBOX_URL) is set as the SDK documents a custom endpoint: the :endpoint option, here
# in Aws.config for every STS client, the ones the credential providers make to assume a
# profile's roles included.
require "json"
require "aws-sdk-core"

sandbox = ENV.fetch("XACCT_SANDBOX_URL") { abort "set XACCT_SANDBOX_URL to the sandbox's URL" }
Aws.config[:sts] = { endpoint: sandbox, retry_limit: 0 }
begin
  puts JSON.generate({ arn: Aws::STS::Client.new.get_caller_identity.arn })
rescue StandardError => e
  warn "#{e.class}: #{e.message}"
  exit 1
end
