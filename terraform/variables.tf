# The module's interface (DESIGN.md §4.4). ydeploy writes these into desired.json; which
# instances exist is decided here, never by -target.

variable "project" {
  description = "Project name: tags and resource names."
  type        = string
  default     = "ydeploy"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.project))
    error_message = "project must be lowercase letters, digits and dashes, starting with a letter, at most 31 characters."
  }
}

variable "environment" {
  description = "Environment name (staging, production, sandbox, ...): tags, resource names and the log group /ec2/<project>-<environment>-logs."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.environment))
    error_message = "environment must be lowercase letters, digits and dashes, starting with a letter, at most 31 characters."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region such as us-east-1."
  }
}

variable "use_private_subnet" {
  description = "Run the enhanced instance(s) in the private subnet behind the NAT gateway (false: in the public subnet, the guide's planned rollback)."
  type        = bool
  default     = true
}

variable "enable_legacy_instance" {
  description = "Whether the legacy instance (public subnet) exists."
  type        = bool
  default     = false
}

variable "enable_enhanced_instance" {
  description = "Whether the enhanced instance(s) exist."
  type        = bool
  default     = true
}

variable "release_bucket" {
  description = "S3 bucket holding the releases under releases/<version>/."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.release_bucket))
    error_message = "release_bucket must be an S3 bucket name: 3-63 lowercase letters, digits, dots and dashes."
  }
}

variable "release_version" {
  description = "The release the serving enhanced instance runs (releases/<version>/ in the release bucket). Required while enhanced instances are enabled."
  type        = string
  default     = null
  validation {
    condition     = var.release_version == null || (can(regex("^[A-Za-z0-9._-]{1,64}$", var.release_version)) && !contains([".", ".."], coalesce(var.release_version, "x")))
    error_message = "release_version must be 1-64 letters, digits, dots, underscores or dashes (and not \".\" or \"..\")."
  }
  validation {
    condition     = !var.enable_enhanced_instance || var.release_version != null || length(var.shard_groups) > 0
    error_message = "release_version must be set while enable_enhanced_instance is true (and shard_groups is empty)."
  }
}

variable "candidate_release_version" {
  description = "A release started beside release_version on a second enhanced instance (blue/green). Cut over by setting release_version to it and this back to null: the candidate's instance survives."
  type        = string
  default     = null
  validation {
    condition     = var.candidate_release_version == null || (can(regex("^[A-Za-z0-9._-]{1,64}$", var.candidate_release_version)) && !contains([".", ".."], coalesce(var.candidate_release_version, "x")))
    error_message = "candidate_release_version must be null or 1-64 letters, digits, dots, underscores or dashes."
  }
  validation {
    condition     = var.candidate_release_version == null || var.candidate_release_version != var.release_version
    error_message = "candidate_release_version must differ from release_version (the candidate runs beside it)."
  }
}

variable "shard_groups" {
  description = "A sharded fleet's enhanced instances, by stable key (ydeploy's \"<release>.s0-1of4\"): each runs release on the gateway shards listed, of shard_count in all, starting in role (active or standby). Non-empty: the enhanced instances are exactly these entries, and release_version, candidate_release_version and enable_enhanced_instance decide none; adding or removing a key never replaces another key's instance. Empty: the single-instance layout."
  type = map(object({
    release     = string
    shards      = list(number)
    shard_count = number
    role        = string
  }))
  default  = {}
  nullable = false
  # Each rule names the keys it fails for. A group with a field left null fails only the first
  # rule: the others count it as passing (try), so one mistake gets one message.
  validation {
    condition     = alltrue([for key in keys(var.shard_groups) : can(regex("^[A-Za-z0-9._-]{1,128}$", key)) && !contains([".", ".."], key)])
    error_message = "shard_groups: keys must be 1-128 letters, digits, dots, underscores or dashes (not \".\" or \"..\"), such as \"v2.s0-1of4\"; not so: ${jsonencode([for key in keys(var.shard_groups) : key if !(can(regex("^[A-Za-z0-9._-]{1,128}$", key)) && !contains([".", ".."], key))])}."
  }
  validation {
    condition     = alltrue([for group in var.shard_groups : group.release != null && group.shards != null && group.shard_count != null && group.role != null])
    error_message = "shard_groups: every group needs release, shards, shard_count and role; not so in ${jsonencode([for key, group in var.shard_groups : key if !(group.release != null && group.shards != null && group.shard_count != null && group.role != null)])}."
  }
  validation {
    condition     = alltrue([for group in var.shard_groups : try(can(regex("^[A-Za-z0-9._-]{1,64}$", group.release)) && !contains([".", ".."], group.release), true)])
    error_message = "shard_groups: release must be 1-64 letters, digits, dots, underscores or dashes (not \".\" or \"..\"), as release_version; not so in ${jsonencode([for key, group in var.shard_groups : key if !(try(can(regex("^[A-Za-z0-9._-]{1,64}$", group.release)) && !contains([".", ".."], group.release), true))])}."
  }
  validation {
    condition     = alltrue([for group in var.shard_groups : try(group.shard_count >= 1 && floor(group.shard_count) == group.shard_count, true)])
    error_message = "shard_groups: shard_count must be a whole number of at least 1; not so in ${jsonencode([for key, group in var.shard_groups : key if !(try(group.shard_count >= 1 && floor(group.shard_count) == group.shard_count, true))])}."
  }
  validation {
    condition     = alltrue([for group in var.shard_groups : group.shards == null || group.shard_count == null || try(length(group.shards) > 0 && length(distinct(group.shards)) == length(group.shards) && alltrue([for id in group.shards : id >= 0 && floor(id) == id && id < group.shard_count]), false)])
    error_message = "shard_groups: shards must be at least one shard id, each a whole number from 0 to shard_count - 1, none twice; not so in ${jsonencode([for key, group in var.shard_groups : key if !(group.shards == null || group.shard_count == null || try(length(group.shards) > 0 && length(distinct(group.shards)) == length(group.shards) && alltrue([for id in group.shards : id >= 0 && floor(id) == id && id < group.shard_count]), false))])}."
  }
  validation {
    condition     = alltrue([for group in var.shard_groups : try(length(join(",", [for id in group.shards : tostring(id)])) <= 256, true)])
    error_message = "shard_groups: a group's shards, as its Shards tag (\"0,1,2\"), must fit the 256 characters of an EC2 tag value (split it into smaller groups); not so in ${jsonencode([for key, group in var.shard_groups : key if !(try(length(join(",", [for id in group.shards : tostring(id)])) <= 256, true))])}."
  }
  validation {
    condition     = alltrue([for group in var.shard_groups : try(contains(["active", "standby"], group.role), true)])
    error_message = "shard_groups: role must be \"active\" or \"standby\"; not so in ${jsonencode([for key, group in var.shard_groups : key if !(try(contains(["active", "standby"], group.role), true))])}."
  }
}

variable "release_manifest_sha256" {
  description = "The sha256 of each release's manifest.json, by release version. An instance whose fetched manifest hashes otherwise refuses to start that release. ydeploy sets it; a release missing here is not checked."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for version, sum in var.release_manifest_sha256 : can(regex("^[A-Za-z0-9._-]{1,64}$", version)) && can(regex("^[0-9a-f]{64}$", sum))])
    error_message = "release_manifest_sha256 must map release versions to sha256 hex digests (64 lowercase hex characters)."
  }
}

variable "serving_role" {
  description = "Which instance's bot answers while legacy and enhanced both run: legacy (a migration; null means legacy) or enhanced (legacy brought back by a rollback stands by until the handoff). Sets the BotRole tags a bot starts in."
  type        = string
  default     = null
  validation {
    condition     = var.serving_role == null || contains(["legacy", "enhanced"], coalesce(var.serving_role, "legacy"))
    error_message = "serving_role must be null, \"legacy\" or \"enhanced\"."
  }
}

variable "legacy_release_version" {
  description = "The release the legacy instance runs (release_version when null). Pin it while the legacy instance exists, or a new release_version replaces it."
  type        = string
  default     = null
  validation {
    condition     = var.legacy_release_version == null || (can(regex("^[A-Za-z0-9._-]{1,64}$", var.legacy_release_version)) && !contains([".", ".."], coalesce(var.legacy_release_version, "x")))
    error_message = "legacy_release_version must be null or 1-64 letters, digits, dots, underscores or dashes."
  }
  validation {
    condition     = !var.enable_legacy_instance || var.legacy_release_version != null || var.release_version != null
    error_message = "legacy_release_version (or release_version) must be set while enable_legacy_instance is true."
  }
}

variable "instance_type" {
  description = "EC2 instance type of the bot instances."
  type        = string
  default     = "t3.small"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be an EC2 instance type such as t3.small."
  }
}

variable "ami_id" {
  description = "AMI for new instances; null looks up the latest Amazon Linux 2023 (x86_64). Existing instances keep the AMI they were launched with."
  type        = string
  default     = null
  validation {
    condition     = var.ami_id == null || can(regex("^ami-[0-9a-f]{8,17}$", coalesce(var.ami_id, "x")))
    error_message = "ami_id must be null or an AMI id such as ami-0123456789abcdef0."
  }
}

variable "discord_token_parameter" {
  description = "Name of the SSM SecureString parameter holding the Discord token. The bot reads it with the instance role; the token never passes through terraform."
  type        = string
  validation {
    condition     = can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.discord_token_parameter)) && length(var.discord_token_parameter) <= 1011
    error_message = "discord_token_parameter must be an SSM parameter name such as /ydeploy/production/discord-token."
  }
}

variable "discord_api" {
  description = "Discord API base URL the bot uses."
  type        = string
  default     = "https://discord.com/api"
  validation {
    condition     = can(regex("^https?://[^\\s'\"]+$", var.discord_api))
    error_message = "discord_api must be an http(s) URL."
  }
}

variable "health_port" {
  description = "Port of the bot's health server; reachable from inside the VPC only."
  type        = number
  default     = 3000
  validation {
    condition     = var.health_port == floor(var.health_port) && var.health_port >= 1024 && var.health_port <= 65535
    error_message = "health_port must be an integer between 1024 and 65535 (the bot runs unprivileged)."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the VPC; split into public and private subnets."
  type        = string
  default     = "10.0.0.0/16"
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("^[0-9.]+/(1[6-9]|2[0-4])$", var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR with a prefix between /16 and /24, such as 10.0.0.0/16."
  }
}

variable "availability_zone_count" {
  description = "How many availability zones get a public and a private subnet (one NAT gateway serves them all)."
  type        = number
  default     = 2
  validation {
    condition     = contains([1, 2, 3], var.availability_zone_count)
    error_message = "availability_zone_count must be 1, 2 or 3."
  }
}

variable "log_retention_days" {
  description = "Retention of the bot/health log group and the flow logs."
  type        = number
  default     = 30
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "alarm_actions" {
  description = "ARNs (SNS topics, ...) notified when an alarm fires and when it recovers."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for a in var.alarm_actions : can(regex("^arn:", a))])
    error_message = "alarm_actions must be ARNs, such as arn:aws:sns:us-east-1:123456789012:alerts."
  }
}

variable "health_failure_pattern" {
  description = "CloudWatch Logs filter pattern selecting the health server's periodic self-check lines; the metric HealthCheckFailures sums their `failed` field (1 failed, 0 passed). The default matches the bundled health server ({\"check\":\"timer\",\"failed\":0|1,...}, every 30 s)."
  type        = string
  default     = "{ $.check = \"timer\" }"
}

variable "log_group_name" {
  description = "The instances' log group. Empty: /ec2/<project>-<environment>-logs (the guide's /ec2/yourdiscord-main-logs). Set it to keep an existing group, e.g. the /ec2/<environment>-logs of ydeploy before 0.2."
  type        = string
  default     = ""
  validation {
    condition     = var.log_group_name == "" || can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.log_group_name))
    error_message = "log_group_name: 1-512 of letters, digits, _ - / . #."
  }
}

variable "create_release_bucket" {
  description = "Create release_bucket here (versioned, encrypted, public access blocked). Leave false when it exists already (e.g. it is the state bucket)."
  type        = bool
  default     = false
}

variable "aws_compat_endpoint" {
  description = "Set when AWS_ENDPOINT_URL points at an AWS emulator such as moto (the ydeploy sandbox): path-style S3, no credential, region or instance-metadata checks. Leave false on real AWS."
  type        = bool
  default     = false
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarms' SNS topic (the module creates the topic; AWS mails a confirmation link first). null: no subscription."
  type        = string
  default     = null
  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s\"']+@[^@\\s\"']+\\.[^@\\s\"']+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address such as ops@example.com."
  }
}

variable "nat_type" {
  description = "How the private subnets reach the internet: \"gateway\" (a managed NAT gateway, the guide's) or \"instance\" (one small NAT instance in the first public subnet: cheaper, no AZ redundancy, patched by you). Switching is an apply."
  type        = string
  default     = "gateway"
  validation {
    condition     = contains(["gateway", "instance"], var.nat_type)
    error_message = "nat_type must be \"gateway\" or \"instance\"."
  }
}

variable "nat_instance_type" {
  description = "EC2 instance type of the NAT instance (nat_type = \"instance\"). Graviton types (t4g, ...) get the arm64 Amazon Linux 2023 image, others x86_64."
  type        = string
  default     = "t4g.nano"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", var.nat_instance_type))
    error_message = "nat_instance_type must be an EC2 instance type such as t4g.nano."
  }
}

variable "interface_endpoints" {
  description = "Interface VPC endpoints created in the private subnets, so that traffic to those AWS services never crosses the NAT: any of \"ssm\", \"ssmmessages\", \"ec2messages\" (Session Manager and Run Command) and \"logs\" (CloudWatch Logs). Each costs per hour and AZ."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for e in var.interface_endpoints : contains(["ssm", "ssmmessages", "ec2messages", "logs"], e)]) && length(distinct(var.interface_endpoints)) == length(var.interface_endpoints)
    error_message = "interface_endpoints must be distinct names among \"ssm\", \"ssmmessages\", \"ec2messages\" and \"logs\"."
  }
}
