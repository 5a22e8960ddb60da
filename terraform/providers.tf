provider "aws" {
  region = var.region

  # Endpoints come from the standard variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>),
  # which the provider honours. An emulator such as moto additionally needs path-style S3 and
  # no calls to services it does not answer; on real AWS these stay at their defaults.
  s3_use_path_style           = var.aws_compat_endpoint
  skip_credentials_validation = var.aws_compat_endpoint
  skip_metadata_api_check     = var.aws_compat_endpoint
  skip_region_validation      = var.aws_compat_endpoint

  default_tags {
    tags = {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "ydeploy"
    }
  }
}
