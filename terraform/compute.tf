# The bot instances. Legacy: the guide's starting point, public subnet. Enhanced: one per
# release in use, keyed by version, so starting a candidate and cutting over to it never
# replaces an instance that stays; or, for a sharded fleet (var.shard_groups), one per shard
# group, keyed by the group's key, so adding or removing a group never replaces another.

data "aws_ssm_parameter" "al2023" {
  count = var.ami_id == null ? 1 : 0
  name  = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

locals {
  ami_id = var.ami_id != null ? var.ami_id : nonsensitive(data.aws_ssm_parameter.al2023[0].value)

  legacy_release = var.legacy_release_version != null ? var.legacy_release_version : var.release_version
  # The releases the enhanced instances run: the shard groups' when there are any (the fleet's
  # instances are exactly the groups), else release_version and the candidate beside it.
  enhanced_releases = length(var.shard_groups) > 0 ? toset([for group in var.shard_groups : group.release]) : var.enable_enhanced_instance ? toset(compact([var.release_version, var.candidate_release_version])) : toset([])

  enhanced_subnet = var.use_private_subnet ? aws_subnet.private[0] : aws_subnet.public[0]

  # The role each bot takes when it starts (tag BotRole, read through instance metadata): the
  # serving instance is active, the one beside it stands by until ydeploy hands over. Terraform
  # updates the tag in place, so a later restart comes up in the role the desired state says.
  # While legacy and enhanced overlap, serving_role says which one answers: legacy during a
  # migration (the default), enhanced while legacy comes back in a rollback. A shard group
  # starts in the role its entry names.
  legacy_bot_role = (var.enable_enhanced_instance || length(var.shard_groups) > 0) && var.serving_role == "enhanced" ? "standby" : "active"
  enhanced_bot_role = length(var.shard_groups) > 0 ? { for key, group in var.shard_groups : key => group.role } : {
    for v in local.enhanced_releases : v => (v == var.release_version && (!var.enable_legacy_instance || var.serving_role == "enhanced") ? "active" : "standby")
  }

  # The enhanced instances by for_each key: the release each runs, the role it starts in and,
  # in a sharded fleet, its shards (null for the single-instance layout, whose instances carry
  # no shard tags, as before fleets existed).
  enhanced_instances = length(var.shard_groups) > 0 ? {
    for key, group in var.shard_groups : key => {
      release     = group.release
      role        = group.role
      shards      = group.shards
      shard_count = group.shard_count
    }
    } : {
    for v in local.enhanced_releases : v => {
      release     = v
      role        = local.enhanced_bot_role[v]
      shards      = null
      shard_count = null
    }
  }

  # The tags that tell a fleet instance's bot which shards it runs (read at start through
  # instance metadata, as BotRole is) and name its group: "s0-1of4", or "s2of4" for one shard.
  shard_tags = {
    for key, i in local.enhanced_instances : key => i.shards == null ? {} : {
      Shards     = join(",", [for id in i.shards : tostring(id)])
      ShardCount = tostring(i.shard_count)
      ShardGroup = min(i.shards...) == max(i.shards...) ? "s${min(i.shards...)}of${i.shard_count}" : "s${min(i.shards...)}-${max(i.shards...)}of${i.shard_count}"
    }
  }
}

resource "aws_security_group" "bot" {
  name        = "${local.name}-bot"
  description = "ydeploy bot instances: health port from inside the VPC only, no SSH"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name}-bot" }

  ingress {
    description = "Health endpoint, from inside the VPC only"
    protocol    = "tcp"
    from_port   = var.health_port
    to_port     = var.health_port
    cidr_blocks = [var.vpc_cidr]
  }

  # Discord gateway and REST, S3, SSM, CloudWatch, package repositories: all HTTPS. DNS and NTP
  # go to the VPC's own resolver and time service, which security groups do not filter.
  egress {
    description = "HTTPS out (Discord, AWS APIs, package repositories)"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "Health endpoints of the other bot instances (handoff checks)"
    protocol    = "tcp"
    from_port   = var.health_port
    to_port     = var.health_port
    cidr_blocks = [var.vpc_cidr]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_instance" "legacy" {
  count = var.enable_legacy_instance ? 1 : 0

  ami                         = local.ami_id
  instance_type               = var.instance_type
  subnet_id                   = aws_subnet.public[0].id
  vpc_security_group_ids      = [aws_security_group.bot.id]
  iam_instance_profile        = aws_iam_instance_profile.instance.name
  user_data                   = local.user_data[local.legacy_release]
  user_data_replace_on_change = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "enabled"
  }

  root_block_device {
    encrypted   = true
    volume_type = "gp3"
    volume_size = 8
  }

  tags = {
    Name    = "${local.name}-legacy"
    Role    = "legacy"
    Release = local.legacy_release
    BotRole = local.legacy_bot_role
  }

  lifecycle {
    # A newer AL2023 image, or a newer bootstrap (the user data template and unit files of a
    # newer ydeploy), only reaches new instances: terraform never replaces a serving instance
    # for it behind the health gate's back. The next deploy's candidate boots with them.
    ignore_changes = [ami, user_data]
    # What the bootstrap is told (health port, token parameter, ...) still replaces it, the new
    # instance existing before the old one goes.
    replace_triggered_by  = [terraform_data.bootstrap_settings]
    create_before_destroy = true
  }
}

resource "aws_instance" "enhanced" {
  for_each = local.enhanced_instances

  ami                         = local.ami_id
  instance_type               = var.instance_type
  subnet_id                   = local.enhanced_subnet.id
  vpc_security_group_ids      = [aws_security_group.bot.id]
  iam_instance_profile        = aws_iam_instance_profile.instance.name
  user_data                   = local.user_data[each.value.release]
  user_data_replace_on_change = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "enabled"
  }

  root_block_device {
    encrypted   = true
    volume_type = "gp3"
    volume_size = 8
  }

  tags = merge({
    Name    = "${local.name}-enhanced-${each.key}"
    Role    = "enhanced"
    Release = each.value.release
    BotRole = local.enhanced_bot_role[each.key]
  }, local.shard_tags[each.key])

  lifecycle {
    ignore_changes        = [ami, user_data]
    replace_triggered_by  = [terraform_data.bootstrap_settings]
    create_before_destroy = true
  }
}
