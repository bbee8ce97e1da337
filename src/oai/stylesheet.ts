import { JATS_OAI_NAMESPACE } from '../formats/index.js';

/**
 * XSLT 1.0 that browsers apply to every response (through the xml-stylesheet processing
 * instruction) so a person opening the endpoint sees readable pages. Harvesters ignore it.
 * Links are relative ("?verb=..."), so they work whatever host name the browser used.
 * Kept as a string so the build ships it with the code; served at <endpoint>/oai2.xsl.
 */
export const OAI_STYLESHEET = `<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:oai="http://www.openarchives.org/OAI/2.0/"
  xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:id="http://www.openarchives.org/OAI/2.0/oai-identifier"
  xmlns:j="${JATS_OAI_NAMESPACE}"
  exclude-result-prefixes="oai oai_dc dc id j">

  <xsl:output method="html" encoding="UTF-8" indent="no"/>

  <xsl:variable name="verb" select="/oai:OAI-PMH/oai:request/@verb"/>

  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>OAI-PMH <xsl:value-of select="$verb"/></title>
        <style>
          body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
          header { background: #23395d; color: #fff; padding: 0.8em 1.5em; }
          header h1 { margin: 0; font-size: 1.25em; font-weight: 600; }
          header nav a { color: #dbe6ff; margin-right: 1.2em; text-decoration: none; }
          header nav a:hover { text-decoration: underline; }
          main { max-width: 62em; margin: 1.5em auto; padding: 0 1.5em; }
          .request { color: #5b6473; font-size: 0.9em; }
          .request code { background: #e9ecf1; padding: 0 0.3em; border-radius: 3px; }
          table { border-collapse: collapse; width: 100%; background: #fff; }
          th, td { text-align: left; vertical-align: top; padding: 0.4em 0.7em; border-bottom: 1px solid #e3e6eb; }
          th { width: 14em; color: #5b6473; font-weight: 600; }
          .record { background: #fff; border: 1px solid #e3e6eb; border-radius: 6px; padding: 0.9em 1.1em; margin: 0 0 1em; }
          .record h2 { font-size: 1.1em; margin: 0 0 0.3em; }
          .record .alt-title { color: #5b6473; font-style: italic; margin: 0 0 0.3em; }
          .meta { color: #5b6473; font-size: 0.88em; }
          .deleted { color: #a3262a; font-weight: 600; }
          .error { background: #fdecea; border: 1px solid #f5c2c0; color: #7d1f1b; padding: 0.7em 1em; border-radius: 6px; margin-bottom: 1em; }
          .paging { margin: 1.5em 0; font-size: 0.95em; }
          .paging a { background: #23395d; color: #fff; padding: 0.4em 1em; border-radius: 4px; text-decoration: none; margin-left: 1em; }
          a { color: #1f5bb5; }
        </style>
      </head>
      <body>
        <header>
          <h1>OAI-PMH 2.0 repository</h1>
          <nav>
            <a href="?verb=Identify">Identify</a>
            <a href="?verb=ListRecords&amp;metadataPrefix=oai_dc">Records</a>
            <a href="?verb=ListIdentifiers&amp;metadataPrefix=oai_dc">Identifiers</a>
            <a href="?verb=ListSets">Sets</a>
            <a href="?verb=ListMetadataFormats">Formats</a>
          </nav>
        </header>
        <main>
          <xsl:apply-templates select="/oai:OAI-PMH/oai:request"/>
          <xsl:apply-templates select="/oai:OAI-PMH/oai:error"/>
          <xsl:apply-templates select="/oai:OAI-PMH/oai:Identify | /oai:OAI-PMH/oai:ListMetadataFormats | /oai:OAI-PMH/oai:ListSets | /oai:OAI-PMH/oai:GetRecord | /oai:OAI-PMH/oai:ListRecords | /oai:OAI-PMH/oai:ListIdentifiers"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="oai:request">
    <p class="request">
      <xsl:text>Response of </xsl:text><xsl:value-of select="/oai:OAI-PMH/oai:responseDate"/>
      <xsl:text> to </xsl:text><code><xsl:value-of select="."/></code>
      <xsl:for-each select="@*">
        <xsl:text> </xsl:text><code><xsl:value-of select="name()"/>=<xsl:value-of select="."/></code>
      </xsl:for-each>
    </p>
  </xsl:template>

  <xsl:template match="oai:error">
    <div class="error"><strong><xsl:value-of select="@code"/></strong>: <xsl:value-of select="."/></div>
  </xsl:template>

  <xsl:template match="oai:Identify">
    <h2>Repository: <xsl:value-of select="oai:repositoryName"/></h2>
    <table>
      <tr><th>Base URL</th><td><xsl:value-of select="oai:baseURL"/></td></tr>
      <tr><th>Protocol version</th><td><xsl:value-of select="oai:protocolVersion"/></td></tr>
      <tr><th>Administrator</th><td>
        <xsl:for-each select="oai:adminEmail"><a href="mailto:{.}"><xsl:value-of select="."/></a><xsl:text> </xsl:text></xsl:for-each>
      </td></tr>
      <tr><th>Earliest datestamp</th><td><xsl:value-of select="oai:earliestDatestamp"/></td></tr>
      <tr><th>Deleted records</th><td><xsl:value-of select="oai:deletedRecord"/></td></tr>
      <tr><th>Granularity</th><td><xsl:value-of select="oai:granularity"/></td></tr>
      <tr><th>Compression</th><td><xsl:for-each select="oai:compression"><xsl:value-of select="."/><xsl:text> </xsl:text></xsl:for-each></td></tr>
      <xsl:for-each select="oai:description/id:oai-identifier">
        <tr><th>Identifier scheme</th><td><xsl:value-of select="id:scheme"/>, namespace <xsl:value-of select="id:repositoryIdentifier"/>, for example <code><xsl:value-of select="id:sampleIdentifier"/></code></td></tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="oai:ListMetadataFormats">
    <h2>Metadata formats</h2>
    <table>
      <tr><th>Prefix</th><td><strong>Schema and namespace</strong></td></tr>
      <xsl:for-each select="oai:metadataFormat">
        <tr>
          <th><a href="?verb=ListRecords&amp;metadataPrefix={oai:metadataPrefix}"><xsl:value-of select="oai:metadataPrefix"/></a></th>
          <td><a href="{oai:schema}"><xsl:value-of select="oai:schema"/></a><br/><span class="meta"><xsl:value-of select="oai:metadataNamespace"/></span></td>
        </tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="oai:ListSets">
    <h2>Sets</h2>
    <table>
      <xsl:for-each select="oai:set">
        <tr>
          <th><a href="?verb=ListRecords&amp;metadataPrefix=oai_dc&amp;set={oai:setSpec}"><xsl:value-of select="oai:setSpec"/></a></th>
          <td><xsl:value-of select="oai:setName"/></td>
        </tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="oai:GetRecord">
    <xsl:apply-templates select="oai:record"/>
  </xsl:template>

  <xsl:template match="oai:ListRecords">
    <h2>Records</h2>
    <xsl:apply-templates select="oai:record"/>
    <xsl:apply-templates select="oai:resumptionToken"/>
  </xsl:template>

  <xsl:template match="oai:ListIdentifiers">
    <h2>Identifiers</h2>
    <table>
      <xsl:for-each select="oai:header">
        <tr>
          <th><xsl:value-of select="oai:datestamp"/></th>
          <td>
            <xsl:call-template name="record-link"><xsl:with-param name="identifier" select="oai:identifier"/></xsl:call-template>
            <xsl:if test="@status = 'deleted'"><xsl:text> </xsl:text><span class="deleted">deleted</span></xsl:if>
            <xsl:for-each select="oai:setSpec"><xsl:text> </xsl:text><span class="meta">[<xsl:value-of select="."/>]</span></xsl:for-each>
          </td>
        </tr>
      </xsl:for-each>
    </table>
    <xsl:apply-templates select="oai:resumptionToken"/>
  </xsl:template>

  <xsl:template match="oai:record">
    <div class="record">
      <xsl:choose>
        <xsl:when test="oai:header/@status = 'deleted'">
          <h2 class="deleted">Deleted record</h2>
        </xsl:when>
        <xsl:otherwise>
          <xsl:apply-templates select="oai:metadata/*"/>
        </xsl:otherwise>
      </xsl:choose>
      <p class="meta">
        <xsl:call-template name="record-link"><xsl:with-param name="identifier" select="oai:header/oai:identifier"/></xsl:call-template>
        <xsl:text> · </xsl:text><xsl:value-of select="oai:header/oai:datestamp"/>
        <xsl:for-each select="oai:header/oai:setSpec"><xsl:text> · set </xsl:text><xsl:value-of select="."/></xsl:for-each>
      </p>
    </div>
  </xsl:template>

  <xsl:template match="oai_dc:dc">
    <h2><xsl:value-of select="dc:title[1]"/></h2>
    <xsl:for-each select="dc:title[position() &gt; 1]"><p class="alt-title"><xsl:value-of select="."/></p></xsl:for-each>
    <p>
      <xsl:for-each select="dc:creator"><xsl:value-of select="."/><xsl:if test="position() != last()">; </xsl:if></xsl:for-each>
    </p>
    <p class="meta">
      <xsl:for-each select="dc:source | dc:date[1] | dc:publisher[1]"><xsl:value-of select="."/><xsl:if test="position() != last()"> · </xsl:if></xsl:for-each>
    </p>
    <p>
      <xsl:for-each select="dc:identifier[starts-with(., 'http')]">
        <a href="{.}"><xsl:value-of select="."/></a><xsl:text> </xsl:text>
      </xsl:for-each>
    </p>
  </xsl:template>

  <xsl:template match="j:article">
    <xsl:variable name="meta" select="j:front/j:article-meta"/>
    <h2><xsl:value-of select="$meta/j:title-group/j:article-title"/></h2>
    <xsl:for-each select="$meta/j:title-group/j:trans-title-group/j:trans-title"><p class="alt-title"><xsl:value-of select="."/></p></xsl:for-each>
    <p>
      <xsl:for-each select="$meta/j:contrib-group/j:contrib">
        <xsl:value-of select="j:name/j:given-names"/><xsl:text> </xsl:text><xsl:value-of select="j:name/j:surname"/><xsl:value-of select="j:collab"/>
        <xsl:if test="position() != last()">; </xsl:if>
      </xsl:for-each>
    </p>
    <p class="meta"><xsl:value-of select="j:front/j:journal-meta/j:journal-title-group/j:journal-title"/> (JATS)</p>
    <xsl:for-each select="$meta/j:article-id[@pub-id-type = 'doi']">
      <p><a href="https://doi.org/{.}">https://doi.org/<xsl:value-of select="."/></a></p>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="*">
    <p class="meta">Metadata in <xsl:value-of select="namespace-uri()"/></p>
  </xsl:template>

  <xsl:template match="oai:resumptionToken">
    <p class="paging">
      <xsl:if test="@completeListSize">
        <xsl:text>Items </xsl:text><xsl:value-of select="@cursor + 1"/>
        <xsl:text>–</xsl:text><xsl:value-of select="@cursor + count(../oai:record | ../oai:header)"/>
        <xsl:text> of </xsl:text><xsl:value-of select="@completeListSize"/>
      </xsl:if>
      <xsl:if test="string-length(.) &gt; 0">
        <a href="?verb={$verb}&amp;resumptionToken={.}">Next page</a>
      </xsl:if>
    </p>
  </xsl:template>

  <!-- A GetRecord link; identifiers are percent-encoded where a query value needs it. -->
  <xsl:template name="record-link">
    <xsl:param name="identifier"/>
    <xsl:variable name="encoded">
      <xsl:call-template name="encode"><xsl:with-param name="text" select="$identifier"/></xsl:call-template>
    </xsl:variable>
    <a href="?verb=GetRecord&amp;metadataPrefix=oai_dc&amp;identifier={$encoded}"><xsl:value-of select="$identifier"/></a>
    <xsl:text> </xsl:text>
    <a class="meta" href="?verb=GetRecord&amp;metadataPrefix=jats&amp;identifier={$encoded}">JATS</a>
  </xsl:template>

  <xsl:template name="encode">
    <xsl:param name="text"/>
    <xsl:choose>
      <xsl:when test="$text = ''"/>
      <xsl:otherwise>
        <xsl:variable name="c" select="substring($text, 1, 1)"/>
        <xsl:choose>
          <xsl:when test="$c = '%'">%25</xsl:when>
          <xsl:when test="$c = '&amp;'">%26</xsl:when>
          <xsl:when test="$c = '+'">%2B</xsl:when>
          <xsl:when test="$c = '#'">%23</xsl:when>
          <xsl:when test="$c = '='">%3D</xsl:when>
          <xsl:when test="$c = ';'">%3B</xsl:when>
          <xsl:otherwise><xsl:value-of select="$c"/></xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="encode"><xsl:with-param name="text" select="substring($text, 2)"/></xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
`;
