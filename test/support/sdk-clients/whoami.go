// Asks STS who the caller is, with the AWS SDK for Go v2's default credential chain: the
// environment's keys, AWS_PROFILE's profile in the shared config files (source_profile,
// role_arn, web_identity_token_file, credential_process), the container credentials endpoint.
// Prints {"arn": "..."}; on any error prints the SDK's message on stderr and exits 1.
//
// Debian 12's SDK (1.17) predates AWS_ENDPOINT_URL, so the sandbox's URL (XACCT_SANDBOX_URL) is
// set as the SDK documents a custom endpoint: an EndpointResolverWithOptions on the loaded
// config. Every client made from that config takes it, the STS clients the credential providers
// make to assume a profile's roles included: LoadDefaultConfig resolves the endpoint resolver
// before the credentials.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	sandbox := os.Getenv("XACCT_SANDBOX_URL")
	if sandbox == "" {
		fail(fmt.Errorf("set XACCT_SANDBOX_URL to the sandbox's URL"))
	}
	resolver := aws.EndpointResolverWithOptionsFunc(func(service, region string, options ...interface{}) (aws.Endpoint, error) {
		return aws.Endpoint{URL: sandbox, SigningRegion: region, HostnameImmutable: true, Source: aws.EndpointSourceCustom}, nil
	})
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithEndpointResolverWithOptions(resolver), config.WithRetryMaxAttempts(1))
	if err != nil {
		fail(err)
	}
	me, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(map[string]string{"arn": aws.ToString(me.Arn)}); err != nil {
		fail(err)
	}
}
