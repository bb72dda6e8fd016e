// Library noise (the AWS SDK's Node-version warning, oidc-provider's WARNING/NOTICE lines) is not test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
