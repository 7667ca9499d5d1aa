/** The lowest TLS protocol version the server accepts (`ssl_min_protocol_version`). */
export enum TlsVersion {
  /** TLS 1.2: every supported PostgreSQL client library speaks it. */
  TLS_1_2 = 'TLS_1_2',
  /** TLS 1.3 only: refuse clients that cannot negotiate TLS 1.3. */
  TLS_1_3 = 'TLS_1_3',
}
