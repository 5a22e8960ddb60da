# The NAT instance (nat_type = "instance"): one small Amazon Linux 2023 instance in the first
# public subnet that forwards and masquerades the private subnets' traffic. Cheaper than the
# managed gateway, but one instance in one AZ: EC2 auto-recovery (alarms.tf) brings it back
# after a host failure, and its packages are yours to patch.

locals {
  nat_instance = var.nat_type == "instance"
  # Graviton families (t4g, c7g, m6gd, ..., a1) run arm64 images.
  nat_instance_arch = can(regex("^(a1|[a-z]+[0-9]+g[a-z]*)\\.", var.nat_instance_type)) ? "arm64" : "x86_64"
  # Masquerades what comes from inside the VPC and leaves it; only the private subnets may send
  # to the instance at all (its security group).
  nat_instance_user_data = templatefile("${path.module}/templates/nat-instance.sh.tftpl", { vpc_cidr = var.vpc_cidr })
}

# The same public parameter as the bot instances' image (compute.tf), for the NAT's architecture.
data "aws_ssm_parameter" "al2023_nat" {
  count = local.nat_instance ? 1 : 0
  name  = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${local.nat_instance_arch}"
}

resource "aws_security_group" "nat" {
  count       = local.nat_instance ? 1 : 0
  name        = "${local.name}-nat"
  description = "ydeploy NAT instance: everything from the private subnets, nothing from outside"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name}-nat" }

  ingress {
    description = "All traffic from the private subnets (forwarded to the internet)"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = local.private_cidrs
  }

  egress {
    description = "All traffic out (forwarded traffic and the instance updates)"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "nat" {
  count = local.nat_instance ? 1 : 0

  ami                    = nonsensitive(data.aws_ssm_parameter.al2023_nat[0].value)
  instance_type          = var.nat_instance_type
  subnet_id              = aws_subnet.public[0].id
  vpc_security_group_ids = [aws_security_group.nat[0].id]
  # It forwards packets addressed to others.
  source_dest_check           = false
  user_data                   = local.nat_instance_user_data
  user_data_replace_on_change = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    encrypted   = true
    volume_type = "gp3"
    volume_size = 8
  }

  tags = { Name = "${local.name}-nat", Role = "nat" }

  lifecycle {
    # A newer AL2023 image does not replace the running NAT (that would cut the private
    # subnets off while it boots); patch it in place, or taint it to replace it.
    ignore_changes = [ami]
  }

  depends_on = [aws_internet_gateway.main]
}

resource "aws_eip" "nat_instance" {
  count    = local.nat_instance ? 1 : 0
  domain   = "vpc"
  instance = aws_instance.nat[0].id
  tags     = { Name = "${local.name}-nat-instance" }

  depends_on = [aws_internet_gateway.main]
}
