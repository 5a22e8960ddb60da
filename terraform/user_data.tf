# One bootstrap per release in use. It depends on nothing that changes between migration
# steps or at a cut-over (role, subnet, BotRole live in tags), so those never replace an
# instance. The instances ignore later changes of their user data (compute.tf): a newer
# template reaches new instances only, while a change of what it is told (the settings below)
# replaces them, as a new release does (each release is its own instance). The sha256 of the
# release's manifest is pinned in the user data of instances created after it is known; it is
# not a bootstrap setting, so learning it never replaces a running instance.

resource "terraform_data" "bootstrap_settings" {
  input = {
    release_bucket          = var.release_bucket
    region                  = var.region
    discord_token_parameter = var.discord_token_parameter
    discord_api             = var.discord_api
    health_port             = var.health_port
  }
}

locals {
  releases_in_use = setunion(
    var.enable_legacy_instance ? [local.legacy_release] : [],
    local.enhanced_releases,
  )

  cloudwatch_agent_config = {
    agent = {
      metrics_collection_interval = 60
      omit_hostname               = true
      run_as_user                 = "root"
    }
    logs = {
      logs_collected = {
        files = {
          collect_list = [
            for component in ["bot", "health"] : {
              file_path       = "/var/log/discord-bot/${component}.log"
              log_group_name  = local.log_group_name
              log_stream_name = "{instance_id}-${component}"
              timezone        = "UTC"
            }
          ]
        }
      }
    }
    metrics = {
      namespace         = "CWAgent"
      append_dimensions = { InstanceId = "$${aws:InstanceId}" }
      metrics_collected = {
        mem = { measurement = ["mem_used_percent"], metrics_collection_interval = 60 }
      }
    }
  }

  user_data = {
    for version in local.releases_in_use : version => templatefile("${path.module}/templates/user-data.sh.tftpl", {
      release_version         = version
      manifest_sha256         = lookup(var.release_manifest_sha256, version, "")
      release_bucket          = var.release_bucket
      region                  = var.region
      discord_token_parameter = var.discord_token_parameter
      discord_api             = var.discord_api
      health_port             = var.health_port
      metric_namespace        = local.metric_namespace
      launcher                = trimspace(file("${path.module}/files/run.sh"))
      bot_unit                = trimspace(file("${path.module}/files/discord-bot.service"))
      health_unit             = trimspace(file("${path.module}/files/discord-health.service"))
      rsyslog_conf            = trimspace(file("${path.module}/files/rsyslog-discord-bot.conf"))
      logrotate_conf          = trimspace(file("${path.module}/files/logrotate-discord-bot"))
      cloudwatch_agent_config = jsonencode(local.cloudwatch_agent_config)
    })
  }
}
