data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  name       = "${var.project}-${var.environment}"
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id

  # The guide's /ec2/yourdiscord-main-logs: project and environment, like every other name here.
  log_group_name = var.log_group_name != "" ? var.log_group_name : "/ec2/${local.name}-logs"
  # SSM parameter ARNs carry the name without its leading slash.
  token_parameter_arn = "arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter/${trimprefix(var.discord_token_parameter, "/")}"
}
