import { describeKafkaSecurity, kafkaConnectionOptions, KafkaSecurityConfigError, kafkaSecurityFromEnv } from './kafka-security';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const FILES: Record<string, string> = { '/ca.pem': CA, '/client.pem': CA, '/client.key': KEY, '/password': 'pa55-w0rd\n', '/junk': 'hello' };
const read = (path: string) => {
  if (!(path in FILES)) throw new Error(`ENOENT ${path}`);
  return FILES[path]!;
};
const parse = (env: Record<string, string>) => kafkaSecurityFromEnv(env, read);
const refusal = (env: Record<string, string>) => {
  try {
    parse(env);
  } catch (error) {
    expect(error).toBeInstanceOf(KafkaSecurityConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('Kafka security settings', () => {
  it('defaults to SASL_SSL, so a service without settings asks for credentials instead of connecting in the clear', () => {
    expect(refusal({ NODE_ENV: 'development' })).toBe('KAFKA_SASL_USERNAME is required with SASL_SSL');
  });

  it('takes SCRAM-SHA-512 over TLS with the CA, and a password from a file without its trailing newline', () => {
    const security = parse({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_USERNAME: 'containment',
      KAFKA_SASL_PASSWORD_FILE: '/password',
      KAFKA_TLS_CA_FILE: '/ca.pem',
    });
    expect(security).toEqual({ protocol: 'sasl_ssl', tls: { ca: CA }, sasl: { mechanism: 'scram-sha-512', username: 'containment', password: 'pa55-w0rd' } });
    expect(kafkaConnectionOptions(security)).toEqual({
      ssl: { rejectUnauthorized: true, ca: [CA] },
      sasl: { mechanism: 'scram-sha-512', username: 'containment', password: 'pa55-w0rd' },
    });
    expect(describeKafkaSecurity(security)).toBe('tls with scram-sha-512 as containment');
  });

  it('takes mutual TLS with a client certificate and key', () => {
    const security = parse({
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_TLS_CA_FILE: '/ca.pem',
      KAFKA_TLS_CERT_FILE: '/client.pem',
      KAFKA_TLS_KEY_FILE: '/client.key',
    });
    expect(kafkaConnectionOptions(security)).toEqual({ ssl: { rejectUnauthorized: true, ca: [CA], cert: CA, key: KEY } });
  });

  it('allows plaintext only when chosen by name, outside production', () => {
    expect(parse({ NODE_ENV: 'test', KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' })).toEqual({ protocol: 'plaintext' });
    expect(kafkaConnectionOptions({ protocol: 'plaintext' })).toEqual({});
    expect(refusal({ NODE_ENV: 'production', KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' })).toMatch(/local development only/);
    // NODE_ENV unset is production, as for the services.
    expect(refusal({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' })).toMatch(/local development only/);
    expect(refusal({ NODE_ENV: 'test', KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT', KAFKA_SASL_USERNAME: 'x' })).toMatch(/KAFKA_SASL_USERNAME set but/);
  });

  it('names the variable of each broken rule and never a secret', () => {
    const base = { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'svc' };
    const messages = [
      refusal({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' }),
      refusal({ ...base }),
      refusal({ ...base, KAFKA_SASL_PASSWORD: 'hunter2-secret', KAFKA_SASL_PASSWORD_FILE: '/password' }),
      refusal({ ...base, KAFKA_SASL_PASSWORD: 'hunter2-secret', KAFKA_SASL_MECHANISM: 'PLAIN' }),
      refusal({ ...base, KAFKA_SASL_PASSWORD: 'hunter2-secret', KAFKA_TLS_CA_FILE: '/missing.pem' }),
      refusal({ ...base, KAFKA_SASL_PASSWORD: 'hunter2-secret', KAFKA_TLS_CA_FILE: '/junk' }),
      refusal({ ...base, KAFKA_SASL_PASSWORD: 'hunter2-secret', KAFKA_TLS_CERT_FILE: '/client.pem' }),
      refusal({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SASL_PASSWORD: 'hunter2-secret' }),
    ];
    expect(messages).toEqual([
      'KAFKA_SECURITY_PROTOCOL must be one of PLAINTEXT, SSL, SASL_SSL',
      'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with SASL_SSL',
      'set one of KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE, not both',
      'KAFKA_SASL_MECHANISM must be one of SCRAM-SHA-512, SCRAM-SHA-256',
      'KAFKA_TLS_CA_FILE: cannot read the file it names',
      'KAFKA_TLS_CA_FILE: not a PEM certificate',
      'KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together: set both for mutual TLS, or neither',
      'KAFKA_SASL_PASSWORD set but KAFKA_SECURITY_PROTOCOL is SSL: use SASL_SSL for SCRAM',
    ]);
    for (const m of messages) expect(m).not.toContain('hunter2');
  });
});
