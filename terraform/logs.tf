# Logs encrypted at rest: one customer-managed key for the bot/health log group and the flow logs.

resource "aws_kms_key" "logs" {
  description             = "${local.name}: CloudWatch Logs (bot, health, VPC flow logs)"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.logs_key.json
  tags                    = { Name = "${local.name}-logs" }
}

resource "aws_kms_alias" "logs" {
  name          = "alias/${local.name}-logs"
  target_key_id = aws_kms_key.logs.key_id
}

data "aws_iam_policy_document" "logs_key" {
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch Logs may use the key only for this account's log groups of this environment.
  statement {
    sid       = "CloudWatchLogsEncrypts"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values = [
        "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:${local.log_group_name}",
        "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:${local.flow_log_group_name}",
      ]
    }
  }
}

locals {
  flow_log_group_name = "/vpc/${local.name}-flow-logs"
}

# Streams {instance-id}-bot and {instance-id}-health, written by each instance's CloudWatch agent.
resource "aws_cloudwatch_log_group" "bot" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.logs.arn
  tags              = { Name = local.log_group_name }
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = local.flow_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.logs.arn
  tags              = { Name = local.flow_log_group_name }
}

# The guide's "health check failures". The health server evaluates itself every 30 s and logs
# each result as a line {"check":"timer","failed":0|1,...}: the sum of `failed` is the number of
# failed checks, and every evaluation is a data point, so a health server that logs nothing
# leaves the metric missing (the alarm treats that as breaching). Lines that are not timer
# checks (the bot's, requests') publish nothing.
resource "aws_cloudwatch_log_metric_filter" "health_failures" {
  name           = "${local.name}-health-failures"
  log_group_name = aws_cloudwatch_log_group.bot.name
  pattern        = var.health_failure_pattern

  metric_transformation {
    name      = "HealthCheckFailures"
    namespace = local.metric_namespace
    value     = "$.failed"
  }
}

locals {
  metric_namespace = "ydeploy/${var.project}/${var.environment}"
}
