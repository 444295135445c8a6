/** Kafka header names of the CloudEvents binary-mode envelope and W3C trace context. */
export const CE_HEADERS = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  specversion: 'ce_specversion',
  subject: 'ce_subject',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** Headers a message carries on `<topic>.dlq`, next to its original ones. */
export const DLQ_HEADERS = {
  error: 'dlq_error',
  originTopic: 'dlq_origin_topic',
  originPartition: 'dlq_origin_partition',
  originOffset: 'dlq_origin_offset',
  attempts: 'dlq_attempts',
  failedAt: 'dlq_failed_at',
  consumerGroup: 'dlq_consumer_group',
} as const;

export const CE_SPECVERSION = '1.0';
export const EVENT_CONTENT_TYPE = 'application/json';
