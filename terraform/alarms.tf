# The guide's alarms: health check failures > 3 in 5 min, CPU > 80 % for 10 min, memory > 90 %
# for 5 min (per instance), NAT gateway errors > 1 %.

locals {
  instance_ids = merge(
    { for i in aws_instance.legacy : "legacy" => i.id },
    { for version, i in aws_instance.enhanced : "enhanced/${version}" => i.id },
  )
  # Keys known at plan time, so alarms follow instances without -target.
  instance_keys = toset(concat(
    var.enable_legacy_instance ? ["legacy"] : [],
    [for version in local.enhanced_releases : "enhanced/${version}"],
  ))
}

resource "aws_cloudwatch_metric_alarm" "health_failures" {
  alarm_name          = "${local.name}-health-failures"
  alarm_description   = "More than 3 failed health checks in 5 minutes (${local.log_group_name}, *-health streams)."
  namespace           = local.metric_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.health_failures.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
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
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
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
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "nat_errors" {
  alarm_name          = "${local.name}-nat-errors"
  alarm_description   = "NAT gateway errors (port allocation errors + dropped packets) above 1 % of the packets from the instances, over 5 minutes."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  metric_query {
    id          = "error_rate"
    expression  = "IF(packets > 0, 100 * (port_errors + drops) / packets, 0)"
    label       = "NAT gateway error rate (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = {
      port_errors = "ErrorPortAllocation"
      drops       = "PacketsDropCount"
      packets     = "PacketsInFromSource"
    }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/NATGateway"
        metric_name = metric_query.value
        dimensions  = { NatGatewayId = aws_nat_gateway.main.id }
        stat        = "Sum"
        period      = 300
      }
    }
  }
}
