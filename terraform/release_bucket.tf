# Optional: the release bucket, when this module should own it.

resource "aws_s3_bucket" "releases" {
  count  = var.create_release_bucket ? 1 : 0
  bucket = var.release_bucket
  tags   = { Name = var.release_bucket }
}

resource "aws_s3_bucket_versioning" "releases" {
  count  = var.create_release_bucket ? 1 : 0
  bucket = aws_s3_bucket.releases[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "releases" {
  count  = var.create_release_bucket ? 1 : 0
  bucket = aws_s3_bucket.releases[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "releases" {
  count                   = var.create_release_bucket ? 1 : 0
  bucket                  = aws_s3_bucket.releases[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "releases" {
  count  = var.create_release_bucket ? 1 : 0
  bucket = aws_s3_bucket.releases[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

data "aws_iam_policy_document" "releases_tls_only" {
  count = var.create_release_bucket ? 1 : 0
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.releases[0].arn, "${aws_s3_bucket.releases[0].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "releases" {
  count      = var.create_release_bucket ? 1 : 0
  bucket     = aws_s3_bucket.releases[0].id
  policy     = data.aws_iam_policy_document.releases_tls_only[0].json
  depends_on = [aws_s3_bucket_public_access_block.releases]
}
