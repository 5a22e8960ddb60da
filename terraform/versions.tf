terraform {
  # 1.10 brought the S3 backend's native lock file (use_lockfile); 1.9 cross-variable validation.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 6.0"
    }
  }

  # Partial configuration: ydeploy passes bucket, key, region, use_lockfile = true (and
  # use_path_style against an S3-compatible endpoint) with -backend-config.
  backend "s3" {}
}
