locals {
  subnet_tier = merge(
    { for s in aws_subnet.public : s.id => "public" },
    { for s in aws_subnet.private : s.id => "private" },
  )

  # Per role: the instance's facts, or null when the role has no instance. A sharded fleet's
  # instances have no single role (they are in output shard_groups): enhanced and candidate are
  # null then.
  instance_facts = {
    for key, i in merge(
      { for i in aws_instance.legacy : "legacy" => i },
      { for key, i in aws_instance.enhanced : (key == var.release_version ? "enhanced" : "candidate") => i if length(var.shard_groups) == 0 },
      ) : key => {
      id          = i.id
      private_ip  = i.private_ip
      public_ip   = i.public_ip != "" ? i.public_ip : null
      subnet_id   = i.subnet_id
      subnet_tier = local.subnet_tier[i.subnet_id]
      release     = i.tags["Release"]
      bot_role    = i.tags["BotRole"]
    }
  }
}

output "network_configuration" {
  description = "The network and, per role (legacy, enhanced = the serving release_version, candidate), the instance's id, IPs, subnet and release; null when the role has no instance."
  value = {
    vpc_id             = aws_vpc.main.id
    vpc_cidr           = aws_vpc.main.cidr_block
    public_subnet_ids  = aws_subnet.public[*].id
    private_subnet_ids = aws_subnet.private[*].id
    nat_type           = var.nat_type
    nat_gateway_id     = one(aws_nat_gateway.main[*].id)
    nat_instance_id    = one(aws_instance.nat[*].id)
    nat_public_ip      = var.nat_type == "gateway" ? aws_eip.nat[0].public_ip : aws_eip.nat_instance[0].public_ip
    use_private_subnet = var.use_private_subnet
    instances = {
      legacy    = lookup(local.instance_facts, "legacy", null)
      enhanced  = lookup(local.instance_facts, "enhanced", null)
      candidate = lookup(local.instance_facts, "candidate", null)
    }
  }
}

output "shard_groups" {
  description = "A sharded fleet's instances by shard group key: instance id, private IP, the shards it runs of shard_count, its group name (\"s0-1of4\"), release and the role it starts in (BotRole). Empty for the single-instance layout."
  value = {
    for key, group in local.enhanced_instances : key => {
      instance_id = aws_instance.enhanced[key].id
      private_ip  = aws_instance.enhanced[key].private_ip
      shards      = group.shards
      shard_count = group.shard_count
      group       = local.shard_tags[key].ShardGroup
      release     = group.release
      role        = local.enhanced_bot_role[key]
    } if group.shards != null
  }
}

output "log_group_name" {
  description = "CloudWatch log group of the bot and health streams ({instance-id}-bot, {instance-id}-health)."
  value       = aws_cloudwatch_log_group.bot.name
}

output "instance_ids" {
  description = "Instance id by role: \"legacy\" and \"enhanced/<release version>\" (in a sharded fleet \"enhanced/<shard group key>\")."
  value       = local.instance_ids
}

output "security_group_id" {
  description = "Security group of the bot instances."
  value       = aws_security_group.bot.id
}

output "log_kms_key_arn" {
  description = "KMS key encrypting the log groups."
  value       = aws_kms_key.logs.arn
}

output "alarm_names" {
  description = "CloudWatch alarms of this environment."
  value = concat(
    [aws_cloudwatch_metric_alarm.health_failures.alarm_name],
    aws_cloudwatch_metric_alarm.nat_errors[*].alarm_name,
    aws_cloudwatch_metric_alarm.nat_instance_recover[*].alarm_name,
    aws_cloudwatch_metric_alarm.nat_instance_status[*].alarm_name,
    aws_cloudwatch_metric_alarm.nat_instance_credits[*].alarm_name,
    [for a in aws_cloudwatch_metric_alarm.cpu_high : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.memory_high : a.alarm_name],
  )
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (on ALARM and OK); var.alarm_email is subscribed to it."
  value       = aws_sns_topic.alarms.arn
}

output "nat_type" {
  description = "How the private subnets reach the internet: \"gateway\" or \"instance\"."
  value       = var.nat_type
}

output "nat_public_ip" {
  description = "The public address the private subnets' traffic leaves from (the NAT gateway's or the NAT instance's EIP)."
  value       = var.nat_type == "gateway" ? aws_eip.nat[0].public_ip : aws_eip.nat_instance[0].public_ip
}

output "vpc_endpoint_ids" {
  description = "VPC endpoint ids by service: \"s3\" (the gateway endpoint, always) and each of var.interface_endpoints."
  value = merge(
    { s3 = aws_vpc_endpoint.s3.id },
    { for name, e in aws_vpc_endpoint.interface : name => e.id },
  )
}
