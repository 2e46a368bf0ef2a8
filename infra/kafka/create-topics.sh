#!/bin/sh
# Creates the hub's topics (README "Kafka") for the parties listed in FFB_PARTIES, e.g.
#   FFB_PARTIES="myndighed:0101 udfoerer:tilbud-bosted"
# Outbound (hub → party), command (party → hub) and dead-letter (hub → sender) topics, each with
# FFB_PARTITIONS partitions and FFB_REPLICATION replicas. Idempotent: existing topics are left as they are.
set -eu
BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
PARTITIONS="${FFB_PARTITIONS:-6}"
REPLICATION="${FFB_REPLICATION:-1}"
PREFIX="${KAFKA_TOPIC_PREFIX:-}"
TOPICS=/opt/kafka/bin/kafka-topics.sh

until "$TOPICS" --bootstrap-server "$BOOTSTRAP" --list >/dev/null 2>&1; do
  echo "waiting for Kafka at $BOOTSTRAP"
  sleep 2
done

for party in ${FFB_PARTIES:-}; do
  kind="${party%%:*}"
  id="${party#*:}"
  case "$kind" in
    myndighed | udfoerer) ;;
    *) echo "FFB_PARTIES: \"$party\" is not myndighed:<kommunekode> or udfoerer:<tilbudId>" >&2; exit 1 ;;
  esac
  for topic in "${PREFIX}ffb.${kind}.${id}.v1" "${PREFIX}ffb.kommando.${kind}.${id}.v1" "${PREFIX}ffb.dlq.${kind}.${id}.v1"; do
    "$TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$topic" \
      --partitions "$PARTITIONS" --replication-factor "$REPLICATION" \
      --config min.insync.replicas=1 --config cleanup.policy=delete --config retention.ms=1209600000
    echo "topic $topic"
  done
done
