# The guide's alarms: health check failures > 3 in 5 min, CPU > 80 % for 10 min, memory > 90 %
# for 5 min (per instance), NAT gateway errors > 1 % (or, with a NAT instance, its status checks
# and CPU credits). Each notifies the module's SNS topic (mailed to var.alarm_email when set)
# and var.alarm_actions, on ALARM and on OK.

resource "aws_sns_topic" "alarms" {
  name = "${local.name}-alarms"
  tags = { Name = "${local.name}-alarms" }
}

# AWS mails a confirmation link first; until it is followed the subscription stays pending.
resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  instance_ids = merge(
    { for i in aws_instance.legacy : "legacy" => i.id },
    { for key, i in aws_instance.enhanced : "enhanced/${key}" => i.id },
  )
  alarm_actions = concat([aws_sns_topic.alarms.arn], var.alarm_actions)
  # Keys known at plan time, so alarms follow instances without -target.
  instance_keys = toset(concat(
    var.enable_legacy_instance ? ["legacy"] : [],
    [for key in keys(local.enhanced_instances) : "enhanced/${key}"],
  ))
}

resource "aws_cloudwatch_metric_alarm" "health_failures" {
  alarm_name          = "${local.name}-health-failures"
  alarm_description   = "More than 3 failed health checks in 5 minutes (${local.log_group_name}, *-health streams), or no health check logged at all (the health server evaluates itself every 30 s)."
  namespace           = local.metric_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.health_failures.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 3
  # No check logged in 5 minutes: no health server is running (or its logs do not arrive).
  treat_missing_data = "breaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  for_each = local.instance_keys

  alarm_name          = "${local.name}-cpu-high-${replace(each.key, "/", "-")}"
  alarm_description   = "CPU above 80 % for 10 minutes on the ${each.key} instance."
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  dimensions          = { InstanceId = local.instance_ids[each.key] }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "memory_high" {
  for_each = local.instance_keys

  alarm_name          = "${local.name}-memory-high-${replace(each.key, "/", "-")}"
  alarm_description   = "Memory above 90 % for 5 minutes on the ${each.key} instance (CloudWatch agent mem_used_percent)."
  namespace           = "CWAgent"
  metric_name         = "mem_used_percent"
  dimensions          = { InstanceId = local.instance_ids[each.key] }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 90
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "nat_errors" {
  count = var.nat_type == "gateway" ? 1 : 0

  alarm_name          = "${local.name}-nat-errors"
  alarm_description   = "NAT gateway error rate above 1 % over 5 minutes: PacketsDropCount / (PacketsInFromSource + PacketsInFromDestination), AWS's formula."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "error_rate"
    expression  = "IF(packets > 0, 100 * drops / packets, 0)"
    label       = "NAT gateway error rate (%)"
    return_data = true
  }

  metric_query {
    id          = "packets"
    expression  = "from_source + from_destination"
    label       = "Packets into the NAT gateway"
    return_data = false
  }

  dynamic "metric_query" {
    for_each = {
      drops            = "PacketsDropCount"
      from_source      = "PacketsInFromSource"
      from_destination = "PacketsInFromDestination"
    }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/NATGateway"
        metric_name = metric_query.value
        dimensions  = { NatGatewayId = aws_nat_gateway.main[0].id }
        stat        = "Sum"
        period      = 300
      }
    }
  }
}

moved {
  from = aws_cloudwatch_metric_alarm.nat_errors
  to   = aws_cloudwatch_metric_alarm.nat_errors[0]
}

# The NAT instance's host failed (StatusCheckFailed_System): EC2 recovers it onto healthy
# hardware, same id, addresses and EIP, and the topic hears of it.
resource "aws_cloudwatch_metric_alarm" "nat_instance_recover" {
  count = var.nat_type == "instance" ? 1 : 0

  alarm_name          = "${local.name}-nat-instance-recover"
  alarm_description   = "The NAT instance's system status check failed for 2 minutes: EC2 recovers it onto other hardware (the private subnets have no internet meanwhile)."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed_System"
  dimensions          = { InstanceId = aws_instance.nat[0].id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "missing"
  alarm_actions       = concat(["arn:${local.partition}:automate:${var.region}:ec2:recover"], local.alarm_actions)
  ok_actions          = local.alarm_actions
}

# The NAT instance's own OS stopped answering (StatusCheckFailed_Instance): recovery does not
# help there; a reboot or a replacement (taint aws_instance.nat) does.
resource "aws_cloudwatch_metric_alarm" "nat_instance_status" {
  count = var.nat_type == "instance" ? 1 : 0

  alarm_name          = "${local.name}-nat-instance-status"
  alarm_description   = "The NAT instance's instance status check failed for 3 minutes: the private subnets have no internet. Reboot it, or replace it (terraform apply -replace=aws_instance.nat[0])."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed_Instance"
  dimensions          = { InstanceId = aws_instance.nat[0].id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# A burstable NAT instance out of CPU credits is throttled to its baseline, and so is every
# packet the private subnets send.
resource "aws_cloudwatch_metric_alarm" "nat_instance_credits" {
  count = var.nat_type == "instance" && startswith(var.nat_instance_type, "t") ? 1 : 0

  alarm_name          = "${local.name}-nat-instance-credits"
  alarm_description   = "The burstable NAT instance has fewer than 5 CPU credits left for 15 minutes: it runs at its baseline, and so does the bot's traffic. Use a larger nat_instance_type, or nat_type = \"gateway\"."
  namespace           = "AWS/EC2"
  metric_name         = "CPUCreditBalance"
  dimensions          = { InstanceId = aws_instance.nat[0].id }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 5
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
